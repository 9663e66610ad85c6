"""A small pool on the shared `world`: two champions in Westminster's
response team and one in Camden, asked by programmes A and B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from changeboard.conftest import make_staff

from ..models import Champion, Support
from ..services import champions as services


@dataclass
class Pool:
    world: Any
    alex: Champion  # staff_in, Response Team 1: A asks 3 of 4 agreed, active
    casey: Champion  # Response Team 1: A asks 4 and B asks 3 of 4 agreed -> over-committed, shared
    blair: Champion  # staff_out, Camden: B asks 2, nominated (not yet accepted)
    support_a: Support  # alex for A
    casey_a: Support
    casey_b: Support


def build_pool(world: Any) -> Pool:
    lead, lead2 = world.users["lead"], world.users["lead2"]
    casey_staff = make_staff("100002", world.team, first_name="Casey", last_name="Night", location="Charing Cross", shift_pattern="Nights")
    world.staff_in.location, world.staff_in.shift_pattern = "Charing Cross", "Earlies"
    world.staff_in.save()
    alex = services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=3, hours_agreed=4, actor=lead)
    services.champion_accept(champion=alex, actor=alex.user)
    casey = services.champion_nominate(staff=casey_staff, programme=world.programme_a, hours_asked=4, hours_agreed=4, actor=lead)
    services.champion_accept(champion=casey, actor=casey.user)
    services.champion_nominate(staff=casey_staff, programme=world.programme_b, hours_asked=3, actor=lead2)
    blair = services.champion_nominate(staff=world.staff_out, programme=world.programme_b, hours_asked=2, actor=lead2)
    return Pool(world, Champion.objects.get(pk=alex.pk), Champion.objects.get(pk=casey.pk), blair,
                Support.objects.get(champion=alex, programme=world.programme_a),
                Support.objects.get(champion=casey, programme=world.programme_a), Support.objects.get(champion=casey, programme=world.programme_b))
