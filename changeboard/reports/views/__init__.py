"""Programme Board pages: the dashboards and the board packs. Each module lists its own `urls`."""
