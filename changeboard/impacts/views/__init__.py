"""Impact pages: assessments (assessments.py) and portfolio load (load.py)."""
