"""Demo and scale data: a fictional Metropolitan Police Service.

`seed_force()` builds the organisation tree, the staff in it, the 12
programmes of the portfolio, a year of readiness surveys for each
(`changeboard.surveys.seeding`) and (at demo scale) the demo accounts. The same
seed always gives the same data, so a bug seen on one machine can be seen on
another.

It writes in bulk because the met scale (45,000 staff, ~700 units) has to load
in well under a minute on SQLite: unit paths are computed here rather than by
treebeard's `add_child` (one query per node), and staff are inserted tier by
tier down the management chain, so every line manager already has a primary
key when their reports are inserted and no second pass is needed. One summary
audit row records the whole seed.

The force is fictional: real borough, BCU and station names so it feels
familiar, but invented people, numbers and e-mail addresses (on an `.example`
domain).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from changeboard.accounts.models import ClaimRule, Role, User
from changeboard.accounts.services import claim_rule_create, claim_rule_update, user_create
from changeboard.capability import demo_seeding as capability_seeding
from changeboard.capability.models import CoachingSession
from changeboard.core import audit
from changeboard.cutover.seeding import DEMO_PROGRAMME, clear_cutover_data, seed_cutover, seed_rehearsal
from changeboard.devtools.personas import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_PERSONAS
from changeboard.engagement.seeding import clear_engagement_data, seed_engagement
from changeboard.hypercare.seeding import clear_hypercare_data, met_total, seed_hypercare
from changeboard.impacts.models import ImpactAssessment
from changeboard.network import seeding as network_seeding
from changeboard.organisation.models import PATH_SEPARATOR, RankGrade, Staff, Unit
from changeboard.organisation.services import staff_version_bump
from changeboard.portfolio.models import Milestone, Programme, RolloutWave
from changeboard.readiness.seeding import seed_readiness
from changeboard.surveys.seeding import clear_survey_data, seed_surveys

DEFAULT_SEED = 2026
EMAIL_DOMAIN = DEMO_EMAIL_DOMAIN
FORCE_NAME = "Metropolitan Police Service"
BATCH_SIZE = 2000
# Fixed reference dates keep the data the same whatever day it is seeded on.
SERVICE_REFERENCE_DATE = dt.date(2026, 1, 5)
MILESTONES_DONE_BEFORE = dt.date(2026, 11, 1)


class SeedError(Exception):
    """The seed cannot run as asked (for example, data already exists)."""


# --------------------------------------------------------------------------
# Scales


@dataclass(frozen=True)
class Scale:
    name: str
    staff: int
    borough_teams: tuple[str, ...]
    command_teams: int | None  # first N teams of each command; None for all
    leadership: str  # "full": every leader; "reduced": one per tier; "minimal": the head only
    demo_accounts: bool


# --------------------------------------------------------------------------
# Team profiles: who works in a team, who supervises whom, which shift


Rank = tuple[str, str]  # (rank or grade code, job role)


@dataclass(frozen=True)
class Profile:
    head: Rank | None
    supervisor: Rank | None
    span: int  # reports per supervisor
    members: tuple[tuple[str, str | None, int], ...]  # (rank code, role or None for the team's role, weight)
    shift: str
    head_min: int = 12  # a team this small has no separate head
    night_shift: str = ""  # if set, every other supervisor and member works it (a day and a night pattern)

    def shift_for(self, index: int) -> str:
        return self.night_shift if self.night_shift and index % 2 else self.shift


OFFICE_HOURS = "Office hours, Monday to Friday"

RESPONSE = Profile(("INSP", "Response inspector"), ("PS", "Response sergeant"), 8, (("PC", "Response officer", 1),),
                   "Response 10-hour 5-team rota")
NEIGHBOURHOOD = Profile(("INSP", "Neighbourhood inspector"), ("PS", "Neighbourhood sergeant"), 10,
                        (("PC", "Dedicated ward officer", 5), ("PC", "Neighbourhood officer", 3), ("PCSO", "Police community support officer", 3)),
                        "Neighbourhood 8-hour earlies and lates")
CID = Profile(("DI", "Detective inspector"), ("DS", "Detective sergeant"), 7,
              (("DC", "Detective", 8), ("PC", "Trainee investigator", 2), ("BAND-D", "Police staff investigator", 1)),
              "CID 8-hour earlies and lates")
SAFEGUARDING = Profile(("DI", "Detective inspector"), ("DS", "Detective sergeant"), 7,
                       (("DC", "Safeguarding detective", 7), ("BAND-D", "Safeguarding investigator", 2), ("BAND-E", "Case administrator", 1)),
                       "CID 8-hour earlies and lates")
PROACTIVE = Profile(("INSP", "Proactive inspector"), ("PS", "Proactive sergeant"), 8, (("PC", "Proactive officer", 1),), "Flexible, 8-hour shifts")
CASE_PROGRESSION = Profile(("BAND-C", "Case progression manager"), ("BAND-D", "Case progression supervisor"), 8,
                           (("BAND-E", "Case progression officer", 3), ("PC", "Case progression officer", 1)), OFFICE_HOURS)
YOUTH = Profile(("PS", "Youth engagement sergeant"), None, 0, (("PC", "Schools officer", 3), ("PCSO", "Youth engagement officer", 1)),
                "Neighbourhood 8-hour earlies and lates", head_min=3)
CUSTODY = Profile(("INSP", "Custody inspector"), ("PS", "Custody officer"), 4,
                  (("BAND-E", "Detention officer", 5), ("PC", "Custody officer", 1), ("BAND-D", "Custody nurse liaison", 1)),
                  "Custody days, 12-hour", night_shift="Custody nights, 12-hour")
CONTACT = Profile(("BAND-B", "Contact centre manager"), ("BAND-C", "Contact centre supervisor"), 12,
                  (("BAND-E", "Call handler", 6), ("BAND-D", "Radio dispatcher", 2), ("PC", "Police officer dispatcher", 1)),
                  "Contact centre 12-hour 24/7 rota")
INTEL = Profile(("DI", "Detective inspector"), ("BAND-C", "Senior analyst"), 8,
                (("BAND-D", "Analyst", 4), ("DC", "Intelligence officer", 3), ("BAND-E", "Researcher", 2)), OFFICE_HOURS)
INVESTIGATION = Profile(("DCI", "Senior investigating officer"), ("DS", "Detective sergeant"), 6,
                        (("DC", "Detective", 8), ("BAND-D", "Investigator", 2), ("BAND-E", "Case administrator", 1)),
                        "CID 8-hour earlies and lates")
OPERATIONAL = Profile(("INSP", "Inspector"), ("PS", "Police sergeant"), 8, (("PC", None, 6), ("SC", None, 1)), "Operational 10-hour rota")
PROTECTION = Profile(("INSP", "Inspector"), ("PS", "Police sergeant"), 8, (("PC", "Protection officer", 1),), "Protection 12-hour rota")
TRAINING = Profile(("INSP", "Training inspector"), ("PS", "Training sergeant"), 6,
                   (("PC", "Trainer", 3), ("BAND-D", "Learning designer", 1), ("BAND-E", "Training administrator", 1)), OFFICE_HOURS)
OFFICE = Profile(("BAND-B", "Head of team"), ("BAND-C", "Team leader"), 8, (("BAND-D", None, 3), ("BAND-E", None, 2)), OFFICE_HOURS)
SPECIALIST_OFFICE = Profile(("BAND-B", "Head of team"), ("BAND-C", "Lead specialist"), 7,
                            (("BAND-C", None, 2), ("BAND-D", None, 4), ("CONTRACTOR", None, 1)), "Hybrid, office hours")


@dataclass(frozen=True)
class Team:
    name: str
    abbr: str = ""
    profile: Profile | None = None
    size: int | None = None  # nominal headcount at met scale
    role: str = ""  # the job role filling the profile's blank member roles
    location: str = ""


# Teams in every borough (met scale); smaller scales take a few of them.
BOROUGH_TEAMS: tuple[Team, ...] = (
    Team("Response Team 1", "RT1", RESPONSE, 60),
    Team("Response Team 2", "RT2", RESPONSE, 60),
    Team("Response Team 3", "RT3", RESPONSE, 60),
    Team("Response Team 4", "RT4", RESPONSE, 60),
    Team("Response Team 5", "RT5", RESPONSE, 60),
    Team("Neighbourhood Team North", "NTN", NEIGHBOURHOOD, 40),
    Team("Neighbourhood Team South", "NTS", NEIGHBOURHOOD, 40),
    Team("Neighbourhood Team East", "NTE", NEIGHBOURHOOD, 40),
    Team("Neighbourhood Team West", "NTW", NEIGHBOURHOOD, 40),
    Team("CID", "CID", CID, 80),
    Team("Safeguarding", "SG", SAFEGUARDING, 70),
    Team("Proactive Team", "PRO", PROACTIVE, 25),
    Team("Case Progression", "CP", CASE_PROGRESSION, 20),
    Team("Youth and Schools Engagement", "YSE", YOUTH, 15),
)

# --------------------------------------------------------------------------
# The tree above the teams

# BCU name, code, [(borough, code, [station, ...]), ...] — the real 12 BCUs.
BCUS: tuple[tuple[str, str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    ("Central West BCU", "CW", (
        ("Westminster", "WM", ("Charing Cross", "Belgravia", "West End Central")),
        ("Kensington and Chelsea", "KC", ("Kensington", "Notting Hill")),
        ("Hammersmith and Fulham", "HF", ("Hammersmith", "Shepherd's Bush")),
    )),
    ("Central South BCU", "CS", (
        ("Lambeth", "LB", ("Brixton", "Kennington")),
        ("Southwark", "SK", ("Walworth", "Peckham")),
    )),
    ("Central East BCU", "CE", (
        ("Hackney", "HK", ("Stoke Newington", "Hackney")),
        ("Tower Hamlets", "TH", ("Bethnal Green", "Limehouse")),
    )),
    ("Central North BCU", "CN", (
        ("Camden", "CM", ("Holborn", "Kentish Town")),
        ("Islington", "IS", ("Islington", "Tolpuddle Street")),
    )),
    ("North West BCU", "NW", (
        ("Barnet", "BN", ("Colindale", "Barnet")),
        ("Brent", "BT", ("Wembley", "Kilburn")),
        ("Harrow", "HW", ("South Harrow",)),
    )),
    ("North BCU", "NO", (
        ("Enfield", "EN", ("Edmonton", "Enfield")),
        ("Haringey", "HG", ("Tottenham", "Wood Green")),
    )),
    ("North East BCU", "NE", (
        ("Newham", "NH", ("Forest Gate", "Stratford")),
        ("Waltham Forest", "WF", ("Chingford", "Leyton")),
    )),
    ("East BCU", "EA", (
        ("Barking and Dagenham", "BD", ("Barking", "Dagenham")),
        ("Havering", "HV", ("Romford", "Hornchurch")),
        ("Redbridge", "RB", ("Ilford",)),
    )),
    ("South East BCU", "SE", (
        ("Bexley", "BX", ("Bexleyheath",)),
        ("Greenwich", "GR", ("Plumstead", "Woolwich")),
        ("Lewisham", "LW", ("Lewisham", "Catford")),
    )),
    ("South BCU", "SO", (
        ("Bromley", "BR", ("Bromley", "Orpington")),
        ("Croydon", "CR", ("Croydon", "Norbury")),
        ("Sutton", "ST", ("Sutton",)),
    )),
    ("South West BCU", "SW", (
        ("Kingston upon Thames", "KT", ("Kingston",)),
        ("Merton", "MT", ("Wimbledon", "Mitcham")),
        ("Richmond upon Thames", "RT", ("Twickenham",)),
        ("Wandsworth", "WW", ("Lavender Hill", "Wandsworth")),
    )),
    ("West BCU", "WA", (
        ("Ealing", "EL", ("Ealing", "Acton")),
        ("Hillingdon", "HL", ("Uxbridge", "Heathrow")),
        ("Hounslow", "HN", ("Hounslow", "Feltham")),
    )),
)


@dataclass(frozen=True)
class Command:
    name: str
    abbr: str
    profile: Profile
    size: int  # nominal headcount per team at met scale
    location: str
    teams: tuple[Team | str, ...]
    police_led: bool = True
    role: str = ""


def _suites(*stations: str) -> tuple[Team, ...]:
    return tuple(Team(f"Custody Suite {s}", location=f"{s} police station") for s in stations)


# Business group name, code, police-led?, commands
GROUPS: tuple[tuple[str, str, bool, tuple[Command, ...]], ...] = (
    ("Frontline Policing", "FP", True, ()),  # its BCUs come from BCUS
    ("Met Operations", "MO", True, (
        Command("Met Intelligence", "INT", INTEL, 70, "New Scotland Yard", (
            "Intelligence Hub", "Covert Intelligence", "Open Source Intelligence", "Analysis Team North", "Analysis Team South",
            "Analysis Team East", "Analysis Team West", "Intelligence Development", "Source Management", "Prison Intelligence")),
        Command("Met Detention", "DET", CUSTODY, 60, "Lambeth Headquarters", (
            *_suites("Charing Cross", "Brixton", "Lewisham", "Croydon", "Wembley", "Colindale", "Leyton", "Stoke Newington",
                     "Bethnal Green", "Wandsworth", "Ilford", "Uxbridge", "Holborn", "Forest Gate", "Tottenham", "Sutton", "Bexleyheath",
                     "Walworth", "Kingston", "Hammersmith", "Romford", "Islington"),
            Team("Detention Standards", profile=OFFICE, size=20, role="Detention standards officer"),
            Team("Custody Healthcare Liaison", profile=OFFICE, size=25, role="Healthcare liaison officer"))),
        Command("Met Contact Centre", "MCC", CONTACT, 130, "Lambeth Contact Centre", (
            *(Team(f"{site} Team {n}", location=f"{site} Contact Centre") for site in ("Lambeth", "Hendon", "Bow") for n in range(1, 6)),
            Team("Online Crime Reporting", profile=OFFICE, size=60, role="Crime recording officer"),
            Team("Switchboard", profile=OFFICE, size=30, role="Switchboard operator"))),
        Command("Roads and Transport Policing", "RTP", OPERATIONAL, 90, "Empress State Building", (
            "Traffic Team North", "Traffic Team South", "Traffic Team East", "Traffic Team West", "Collision Investigation",
            "Cycle Safety", "Commercial Vehicle Unit"), role="Traffic officer"),
        Command("Taskforce", "TF", OPERATIONAL, 80, "Lambeth Headquarters", (
            *(f"Territorial Support Group {n}" for n in range(1, 7)),
            Team("Dog Support Unit", role="Dog handler"), Team("Mounted Branch", role="Mounted officer"),
            Team("Marine Policing", role="Marine officer"), Team("Air Support", role="Tactical flight officer")),
            role="Public order officer"),
        Command("Met Criminal Justice", "MCJ", OFFICE, 60, "Empress State Building", (
            "Case Review", "Court Liaison", "Evidence and Property", "Witness Care", "Charging Hub"), police_led=False,
            role="Criminal justice officer"),
        Command("Specialist Crime", "SC", INVESTIGATION, 70, "New Scotland Yard", (
            *(f"Major Investigation Team {n}" for n in range(1, 7)),
            "Organised Crime", "Economic Crime", "Cyber Crime", "Child Exploitation", "Flying Squad", "Trident and Area Crime",
            "Kidnap Unit", "Fraud and Linked Crime Online", Team("Digital Forensics", profile=SPECIALIST_OFFICE, role="Digital forensic examiner"))),
    )),
    ("Specialist Operations", "SO", True, (
        Command("Counter Terrorism Command", "CTC", INVESTIGATION, 160, "New Scotland Yard", (
            "Investigations 1", "Investigations 2", "Investigations 3", "Investigations 4", Team("Intelligence", profile=INTEL),
            Team("Prevent", profile=OPERATIONAL, role="Prevent officer"), Team("Protective Security", profile=OPERATIONAL, role="Security adviser"),
            Team("Border Policing", profile=OPERATIONAL, role="Ports officer", location="Heathrow police station"))),
        Command("Protection Command", "PC", PROTECTION, 150, "Empress State Building", (
            "Royalty Protection", "Specialist Protection", "Parliamentary Protection", "Diplomatic Protection North",
            "Diplomatic Protection South", "Aviation Security", "Protection Operations Centre")),
        Command("Security Command", "SEC", OPERATIONAL, 50, "New Scotland Yard", (
            "Risk Management", "Protective Security Operations", "Counter Terrorism Security Advisers"), role="Security officer"),
    )),
    ("Professionalism", "PR", True, (
        Command("Directorate of Professional Standards", "DPS", INVESTIGATION, 50, "Empress State Building", (
            Team("Complaints Investigation", role="Professional standards investigator"), Team("Anti-Corruption", role="Professional standards investigator"),
            Team("Misconduct Hearings", profile=OFFICE, role="Hearings officer"), Team("Vetting", profile=OFFICE, role="Vetting officer"),
            Team("Public Complaints Assessment", profile=OFFICE, role="Complaints assessor"))),
        Command("Learning and Development", "LD", TRAINING, 45, "Hendon Peel Centre", (
            "Recruit Training", "Leadership Academy", "Detective Training", "Driver Training", "Public Order Training", "Digital Learning")),
        Command("Diversity and Inclusion", "DI", OFFICE, 15, "New Scotland Yard", ("Inclusion Advisers", "Staff Networks"),
                police_led=False, role="Inclusion adviser"),
    )),
    ("Met HQ", "HQ", False, (
        Command("Strategy and Governance", "SG", SPECIALIST_OFFICE, 25, "New Scotland Yard", (
            "Portfolio Office", "Corporate Planning", "Performance and Insight", "Risk and Assurance", "Information Rights"),
            police_led=False, role="Business analyst"),
        Command("Finance", "FIN", OFFICE, 35, "New Scotland Yard", (
            "Financial Planning", "Management Accounts", "Financial Control", "Payroll Assurance", "Procurement"),
            police_led=False, role="Finance officer"),
        Command("Media and Communications", "MC", SPECIALIST_OFFICE, 30, "New Scotland Yard", (
            "Press Bureau", "Internal Communications", "Digital Media"), police_led=False, role="Communications officer"),
        Command("Legal Services", "LS", SPECIALIST_OFFICE, 25, "New Scotland Yard", (
            "Civil Litigation", "Advisory", "Information Law"), police_led=False, role="Lawyer"),
        Command("Commercial Services", "CSV", OFFICE, 25, "Empress State Building", (
            "Category Management", "Contract Management", "Supplier Performance"), police_led=False, role="Commercial officer"),
    )),
    ("Shared Support Services", "SSS", False, (
        Command("HR Services", "HR", OFFICE, 45, "Empress State Building", (
            "HR Advisory North", "HR Advisory South", "HR Advisory East", "HR Advisory West", "Recruitment", "Employee Relations",
            "Occupational Health", "Pay and Pensions", "HR Systems", "Workforce Planning", "Resourcing Hub"), police_led=False,
            role="HR adviser"),
        Command("Digital Data and Technology", "DDAT", SPECIALIST_OFFICE, 70, "Empress State Building", (
            Team("Service Desk", profile=OFFICE, role="Service desk analyst"), Team("End User Devices", role="Device engineer"),
            Team("Networks", role="Network engineer"), Team("Cloud and Hosting", role="Platform engineer"),
            Team("Application Support", role="Application support analyst"), Team("Data Platform", role="Data engineer"),
            Team("Cyber Security", role="Security analyst"), Team("Enterprise Architecture", role="Solution architect"),
            Team("Software Engineering", role="Software engineer")), police_led=False),
        Command("Property Services", "PS", OFFICE, 35, "Empress State Building", (
            Team("Estates Strategy", role="Estates surveyor"), Team("Facilities Management North", role="Facilities officer"),
            Team("Facilities Management South", role="Facilities officer"), Team("Fleet Services", role="Fleet technician"),
            Team("Capital Projects", role="Project manager"), Team("Health and Safety", role="Health and safety adviser")),
            police_led=False),
        Command("Transactional Services", "TS", OFFICE, 40, "Empress State Building", (
            "Accounts Payable", "Accounts Receivable", "Expenses", "Records Management"), police_led=False, role="Transactions officer"),
    )),
)

# Leaders attached directly to a unit, by tier (each tier reports to the one above).
Tiers = tuple[tuple[Rank, ...], ...]
FORCE_LEADERS: Tiers = ((("COMM", "Commissioner"),), (("DEPCOMM", "Deputy Commissioner"),),
                        (("SPS", "Chief Operating Officer"), ("SPS", "Chief of Staff")))
POLICE_GROUP_LEADERS: Tiers = ((("AC", "Assistant Commissioner"),),
                               (("DAC", "Deputy Assistant Commissioner"), ("DAC", "Deputy Assistant Commissioner")))
STAFF_GROUP_LEADERS: Tiers = ((("SPS", "Director"),), (("BAND-A", "Deputy director"), ("BAND-A", "Deputy director")))
POLICE_COMMAND_LEADERS: Tiers = ((("CMDR", "Commander"),), (("CSUPT", "Chief Superintendent"),),
                                 (("SUPT", "Superintendent"), ("SUPT", "Superintendent")))
STAFF_COMMAND_LEADERS: Tiers = ((("SPS", "Director"),), (("BAND-A", "Head of service"), ("BAND-A", "Head of service")))
BCU_LEADERS: Tiers = ((("CSUPT", "BCU commander"),),
                      (("SUPT", "Superintendent, response"), ("SUPT", "Superintendent, neighbourhoods"), ("SUPT", "Superintendent, safeguarding")),
                      tuple(("CI", "Chief inspector") for _ in range(6)))

SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 150, ("Response Team 1",), 1, "minimal", True),
    "demo": Scale("demo", 2000, ("Response Team 1", "Response Team 2", "Neighbourhood Team North", "CID", "Safeguarding"), 3, "reduced", True),
    "met": Scale("met", 45000, tuple(t.name for t in BOROUGH_TEAMS), None, "full", False),
}

# Years of service when seeded, by rank or grade: (fewest, most).
SERVICE_YEARS: dict[str, tuple[int, int]] = {
    "PC": (0, 12), "DC": (2, 16), "PS": (5, 20), "DS": (6, 22), "INSP": (8, 25), "DI": (9, 25), "CI": (12, 28), "DCI": (12, 28),
    "SUPT": (15, 30), "DSU": (15, 30), "CSUPT": (18, 32), "CMDR": (20, 33), "DAC": (22, 34), "AC": (24, 35), "DEPCOMM": (25, 35),
    "COMM": (26, 36), "PCSO": (0, 10), "BAND-E": (0, 12), "BAND-D": (1, 20), "BAND-C": (3, 25), "BAND-B": (6, 28), "BAND-A": (10, 30),
    "SPS": (12, 32), "SC": (0, 8), "CONTRACTOR": (0, 3),
}
LEAVER_SHARE = 0.022  # rank and file only, so about 2% of everyone

FIRST_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Muhammad", "Thomas", "Oscar", "William", "James", "Henry", "Leo",
    "Alfie", "Joshua", "Freddie", "Archie", "Ethan", "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Daniel", "Arthur",
    "Lucas", "Mohammed", "Logan", "Theo", "Harrison", "Benjamin", "Mason", "Sebastian", "Finley", "Adam", "Dylan", "Zachary", "Riley",
    "Ryan", "Aaron", "Liam", "Connor", "Kieran", "Michael", "David", "Paul", "Mark", "Andrew", "Richard", "Stephen", "Peter",
    "Christopher", "Matthew", "Simon", "Gareth", "Rhys", "Callum", "Hamza", "Yusuf", "Ravi", "Arjun", "Kwame", "Tunde", "Olivia",
    "Amelia", "Isla", "Ava", "Emily", "Isabella", "Mia", "Poppy", "Ella", "Lily", "Sophia", "Grace", "Evie", "Charlotte", "Jessica",
    "Freya", "Chloe", "Ruby", "Sophie", "Alice", "Daisy", "Florence", "Matilda", "Hannah", "Sarah", "Emma", "Laura", "Rebecca",
    "Rachel", "Claire", "Helen", "Nicola", "Karen", "Joanne", "Lucy", "Katie", "Amy", "Zara", "Aisha", "Fatima", "Priya", "Anjali",
    "Sana", "Maryam", "Chidinma", "Ngozi", "Aaliyah", "Niamh", "Siobhan", "Megan", "Bethan", "Eilidh", "Kirsty", "Fiona", "Gemma",
    "Jade", "Leanne", "Samantha", "Victoria", "Natalie", "Abigail", "Holly", "Maisie", "Phoebe", "Rosie", "Esme",
)
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Robinson",
    "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson",
    "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan",
    "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly",
    "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray",
    "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson", "Ahmed",
    "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford",
    "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton",
    "O'Brien", "Watts", "Rose", "Booth", "Perry", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson",
    "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Dunn", "Woods", "Parsons", "Berry",
    "Stone", "Reid", "Holland", "Hawkins", "Harding", "Porter", "Robertson", "Newton", "Okafor", "Mensah", "Adeyemi", "Nguyen", "Chen",
    "Kowalski", "Nowak", "Costa", "Silva", "Osei", "Ibrahim", "Mahmood", "Chaudhry", "Sharma", "Shah", "Mistry",
)

# --------------------------------------------------------------------------
# The portfolio

ALL_BCUS = tuple(name for name, _, _ in BCUS)
CENTRAL_BCUS = ALL_BCUS[:4]
OUTER_BCUS = ALL_BCUS[4:]


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    status: str
    phase: str
    description: str
    waves: tuple[tuple[str, dt.date, tuple[str, ...]], ...]  # (name, go-live, unit names)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Central West BCU carries five programmes in Q1 2027 and North East BCU six in
# Q2 2027: the hotspots the change-load heatmap should find.
PROGRAMMES: tuple[ProgrammeSpec, ...] = (
    ProgrammeSpec("SSS", "Shared Support Services", "active", "deploy",
                  "Moves HR, finance and procurement transactions onto one shared-service platform, with self-service for officers "
                  "and staff and a single service centre replacing local back-office teams.",
                  (("Wave 1 – Met HQ and Shared Support Services", _d("2026-09-07"), ("Met HQ", "Shared Support Services")),
                   ("Wave 2 – Central West and Central South BCUs", _d("2027-02-08"), ("Central West BCU", "Central South BCU")),
                   ("Wave 3 – North and East BCUs", _d("2027-05-10"), ("North West BCU", "North BCU", "North East BCU", "East BCU")),
                   ("Wave 4 – South and West BCUs and specialist commands", _d("2027-09-06"),
                    ("South East BCU", "South BCU", "South West BCU", "West BCU", "Met Operations", "Specialist Operations", "Professionalism")))),
    ProgrammeSpec("IMP", "Information Management", "active", "deploy",
                  "Brings records under one retention, review and disposal schedule (MoPI), with a single information asset "
                  "register and owners for every system holding personal data.",
                  (("Wave 1 – Met HQ", _d("2026-10-05"), ("Met HQ",)),
                   ("Wave 2 – North East and East BCUs", _d("2027-04-12"), ("North East BCU", "East BCU")),
                   ("Wave 3 – South and South West BCUs", _d("2027-07-05"), ("South BCU", "South West BCU")),
                   ("Wave 4 – everyone else", _d("2027-10-04"),
                    (*CENTRAL_BCUS, "North West BCU", "North BCU", "South East BCU", "West BCU", "Met Operations", "Specialist Operations",
                     "Professionalism", "Shared Support Services")))),
    ProgrammeSpec("CMS", "Case Management", "active", "test",
                  "Replaces the crime recording and case management systems with one case record from first report to court "
                  "result, shared by investigators, case progression and criminal justice units.",
                  (("Pilot – Central West BCU", _d("2027-01-18"), ("Central West BCU",)),
                   ("Wave 2 – Central BCUs", _d("2027-03-15"), ("Central South BCU", "Central East BCU", "Central North BCU")),
                   ("Wave 3 – North and East BCUs", _d("2027-04-19"), ("North West BCU", "North BCU", "North East BCU", "East BCU")),
                   ("Wave 4 – South and West BCUs", _d("2027-06-21"), ("South East BCU", "South BCU", "South West BCU", "West BCU")),
                   ("Wave 5 – Specialist Crime and Criminal Justice", _d("2027-09-06"), ("Specialist Crime", "Met Criminal Justice")))),
    ProgrammeSpec("DEMS", "Digital Evidence Management", "active", "build",
                  "One store for body-worn video, CCTV and seized digital media, with evidence shared with the CPS and courts by "
                  "link instead of discs and memory sticks.",
                  (("Pilot – Westminster", _d("2027-02-01"), ("Westminster",)),
                   ("Wave 2 – Central BCUs", _d("2027-03-29"), CENTRAL_BCUS),
                   ("Wave 3 – outer BCUs", _d("2027-05-17"), OUTER_BCUS),
                   ("Wave 4 – specialist commands", _d("2027-08-16"), ("Met Operations", "Specialist Operations")))),
    ProgrammeSpec("ROTA", "Rostering and Duty Management", "active", "test",
                  "A single rostering system for officers and staff: duty planning, rest-day protection, overtime and "
                  "abstraction reporting in one place.",
                  (("Wave 1 – Met Contact Centre and Met Detention", _d("2027-01-11"), ("Met Contact Centre", "Met Detention")),
                   ("Wave 2 – Central West and Central South BCUs", _d("2027-02-22"), ("Central West BCU", "Central South BCU")),
                   ("Wave 3 – North, North East and East BCUs", _d("2027-05-10"), ("North BCU", "North East BCU", "East BCU")),
                   ("Wave 4 – remaining BCUs", _d("2027-09-13"),
                    ("Central East BCU", "Central North BCU", "North West BCU", "South East BCU", "South BCU", "South West BCU", "West BCU")))),
    ProgrammeSpec("MOB", "Mobile Working Refresh", "active", "build",
                  "New handheld devices and apps for frontline officers: stop and search, crime reports and statements completed "
                  "at the scene.",
                  (("Wave 1 – Hammersmith and Fulham, Kensington and Chelsea", _d("2027-03-08"), ("Hammersmith and Fulham", "Kensington and Chelsea")),
                   ("Wave 2 – Central South and Central East boroughs", _d("2027-04-26"), ("Lambeth", "Southwark", "Hackney", "Tower Hamlets")),
                   ("Wave 3 – all other boroughs", _d("2027-07-12"), ("Westminster", "Central North BCU", *OUTER_BCUS)))),
    ProgrammeSpec("DCF", "Digital Case File", "active", "design",
                  "An end-to-end digital case file to the CPS and courts, with national file standards checked before "
                  "submission.",
                  (("Wave 1 – Met Criminal Justice", _d("2027-02-01"), ("Met Criminal Justice",)),
                   ("Wave 2 – North East and East BCUs", _d("2027-05-24"), ("North East BCU", "East BCU")),
                   ("Wave 3 – all other BCUs", _d("2027-09-20"), tuple(b for b in ALL_BCUS if b not in ("North East BCU", "East BCU"))))),
    ProgrammeSpec("CUST", "Digital Custody Records", "active", "hypercare",
                  "Replaces paper and legacy custody records with one digital custody record, including detainee risk "
                  "assessments and healthcare referrals.",
                  (("Wave 1 – Met Detention", _d("2026-06-15"), ("Met Detention",)),
                   ("Wave 2 – arresting officers", _d("2026-09-28"), ("Frontline Policing",)))),
    ProgrammeSpec("IAM", "Identity and Access Management", "proposed", "discovery",
                  "Single sign-on and automated joiner, mover and leaver access for every system, driven by the HR record.",
                  (("Wave 1 – Shared Support Services", _d("2027-04-05"), ("Shared Support Services",)),
                   ("Wave 2 – Met HQ and Professionalism", _d("2027-06-14"), ("Met HQ", "Professionalism")),
                   ("Wave 3 – operational business groups", _d("2027-10-18"), ("Frontline Policing", "Met Operations", "Specialist Operations")))),
    ProgrammeSpec("CCM", "Command and Control Modernisation", "active", "test",
                  "A new command and control system for emergency and non-emergency calls, with mapping and resource "
                  "availability for dispatchers.",
                  (("Wave 1 – Met Contact Centre", _d("2027-01-25"), ("Met Contact Centre",)),
                   ("Wave 2 – Roads and Transport Policing and Taskforce", _d("2027-03-22"), ("Roads and Transport Policing", "Taskforce")))),
    ProgrammeSpec("INTEL", "Intelligence Platform", "active", "design",
                  "A single intelligence platform replacing separate intelligence databases, with consistent grading and "
                  "sharing rules.",
                  (("Wave 1 – Met Intelligence", _d("2027-02-15"), ("Met Intelligence",)),
                   ("Wave 2 – Counter Terrorism Command", _d("2027-05-03"), ("Counter Terrorism Command",)),
                   ("Wave 3 – Frontline Policing", _d("2027-10-11"), ("Frontline Policing",)))),
    ProgrammeSpec("P2P", "Purchase to Pay", "paused", "deploy",
                  "Moves requisitions, purchase orders and invoice matching onto the shared-service platform; paused while the "
                  "supplier migration is re-planned.",
                  (("Wave 1 – Finance and Transactional Services", _d("2026-09-14"), ("Finance", "Transactional Services")),
                   ("Wave 2 – Property Services and Digital Data and Technology", _d("2027-01-04"),
                    ("Property Services", "Digital Data and Technology")))),
)

# (name, days relative to the first go-live, or None for "relative to the last")
MILESTONE_TEMPLATES: tuple[tuple[str, int, bool], ...] = (
    ("Business case approved", -300, False),
    ("Design authority sign-off", -200, False),
    ("Build complete", -120, False),
    ("User acceptance testing complete", -42, False),
    ("Go/no-go decision for first wave", -7, False),
    ("Final wave live", 0, True),
    ("Hypercare exit", 42, True),
)

# Impact lines per programme, applied to every rollout wave:
# (title, dimensions, severity, weeks before go-live, weeks after, hours per person, roles or ()).
# Lines with roles narrow the wave's units to those job roles.
FRONTLINE_ROLES = ("Response officer", "Neighbourhood officer", "Dedicated ward officer", "Proactive officer")
INVESTIGATOR_ROLES = ("Detective", "Trainee investigator", "Police staff investigator", "Safeguarding detective", "Investigator",
                      "Case progression officer", "Case administrator")
IMPACT_TEMPLATES: dict[str, tuple[tuple[str, tuple[str, ...], int, int, int, float, tuple[str, ...]], ...]] = {
    "default": (
        ("Briefings and e-learning", ("people",), 1, 6, 0, 2.0, ()),
        ("Classroom training", ("people", "technology"), 3, 3, 0, 7.0, ()),
        ("Go-live and floor-walking", ("process", "technology"), 3, 0, 3, 3.0, ()),
        ("Embedding new ways of working", ("process", "culture"), 1, 0, 8, 1.0, ()),
    ),
    "CMS": (
        ("Case record training for investigators", ("people", "technology"), 4, 4, 0, 14.0, INVESTIGATOR_ROLES),
        ("Crime recording at first report", ("process",), 3, 2, 4, 3.0, FRONTLINE_ROLES),
        ("Go-live and floor-walking", ("process", "technology"), 3, 0, 4, 4.0, ()),
        ("Supervisor case review changes", ("process", "policy"), 2, 0, 8, 2.0, ()),
    ),
    "MOB": (
        ("Device issue and app training", ("technology", "people"), 3, 2, 0, 4.0, FRONTLINE_ROLES),
        ("Statements and stop records at the scene", ("process", "technology"), 4, 0, 4, 2.0, FRONTLINE_ROLES),
        ("Old handsets withdrawn", ("technology",), 1, 0, 2, 0.5, ()),
    ),
}


# username, role, first name, last name, scope: programme code or borough name
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, str], ...] = tuple(
    (username, Role(role), first, last, scope) for username, role, first, last, scope, _claim in DEMO_PERSONAS
)


# --------------------------------------------------------------------------
# Building


@dataclass
class SeedResult:
    scale: str
    seed: int
    counts: dict[str, int]
    seconds: float = 0.0


@dataclass(eq=False)
class _Node:
    name: str
    code: str
    level: str
    parent: _Node | None = None
    path: str = ""
    full_path: str = ""
    children: list[_Node] = field(default_factory=list)
    team: Team | None = None
    command: Command | None = None
    leaders: Tiers = ()
    stations: tuple[str, ...] = ()
    unit: Unit | None = None

    def add(self, child: _Node) -> _Node:
        child.parent = self
        self.children.append(child)
        return child


def _step(index: int) -> str:
    """Treebeard's path step for the index-th child (1-based), base 36, width 4."""
    digits = Unit.alphabet
    out = ""
    while index:
        index, rem = divmod(index, len(digits))
        out = digits[rem] + out
    return out.rjust(Unit.steplen, digits[0])


def _leaders(tiers: Tiers, scale: Scale) -> Tiers:
    if scale.leadership == "full":
        return tiers
    if scale.leadership == "reduced":
        return tuple(tier[:1] for tier in tiers)
    return tiers[:1]


def _build_tree(scale: Scale) -> _Node:
    root = _Node(FORCE_NAME, "MPS", Unit.Level.FORCE, leaders=_leaders(FORCE_LEADERS, scale))
    borough_teams = [t for t in BOROUGH_TEAMS if t.name in scale.borough_teams]
    for group_name, group_code, police_led, commands in GROUPS:
        group = root.add(_Node(group_name, group_code, Unit.Level.BUSINESS_GROUP,
                               leaders=_leaders(POLICE_GROUP_LEADERS if police_led else STAFF_GROUP_LEADERS, scale)))
        if group_name == "Frontline Policing":
            for bcu_name, bcu_code, boroughs in BCUS:
                bcu = group.add(_Node(bcu_name, f"{group_code}-{bcu_code}", Unit.Level.COMMAND, leaders=_leaders(BCU_LEADERS, scale)))
                for borough_name, borough_code, stations in boroughs:
                    borough = bcu.add(_Node(borough_name, f"{bcu.code}-{borough_code}", Unit.Level.BOROUGH, stations=stations))
                    for team in borough_teams:
                        borough.add(_Node(team.name, f"{borough.code}-{team.abbr}", Unit.Level.TEAM, team=team, stations=stations))
        for command in commands:
            leaders = POLICE_COMMAND_LEADERS if command.police_led else STAFF_COMMAND_LEADERS
            node = group.add(_Node(command.name, f"{group_code}-{command.abbr}", Unit.Level.COMMAND, command=command,
                                   leaders=_leaders(leaders, scale)))
            teams = command.teams if scale.command_teams is None else command.teams[: scale.command_teams]
            for index, item in enumerate(teams, start=1):
                team = item if isinstance(item, Team) else Team(item)
                node.add(_Node(team.name, f"{node.code}-T{index:02d}", Unit.Level.TEAM, team=team, command=command))
    return root


def _walk(node: _Node) -> list[_Node]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _create_units(root: _Node) -> list[_Node]:
    """Give every node treebeard's materialised path and insert them all at once."""
    root.path = _step(1)
    root.full_path = root.name
    nodes = _walk(root)
    for node in nodes:
        for index, child in enumerate(node.children, start=1):
            child.path = node.path + _step(index)
            child.full_path = f"{node.full_path}{PATH_SEPARATOR}{child.name}"
    units = []
    for node in nodes:
        node.unit = Unit(path=node.path, depth=len(node.path) // Unit.steplen, numchild=len(node.children), name=node.name,
                         code=node.code, level=node.level, full_path=node.full_path)
        units.append(node.unit)
    Unit.objects.bulk_create(units, batch_size=500)
    return nodes


@dataclass(eq=False)
class _Person:
    node: _Node
    rank: str
    role: str
    shift: str
    location: str
    manager: _Person | None = None
    tier: int = 0  # steps below the top of the force, so managers are inserted first
    member: bool = False  # rank and file (may have left)


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), every share at least 1 when possible."""
    if not weights:
        return []
    floor = 1 if total >= len(weights) else 0
    rest = total - floor * len(weights)
    whole = sum(weights)
    raw = [rest * w / whole for w in weights]
    shares = [floor + int(r) for r in raw]
    short = total - sum(shares)
    for i in sorted(range(len(weights)), key=lambda i: (-(raw[i] - int(raw[i])), i))[:short]:
        shares[i] += 1
    return shares


def _location(node: _Node, index: int) -> str:
    team = node.team
    if team and team.location:
        return team.location
    if node.stations:
        return f"{node.stations[index % len(node.stations)]} police station"
    command = node.command
    if command:
        return command.location
    return "New Scotland Yard"


def _place_people(nodes: list[_Node], scale: Scale, rng: random.Random) -> list[_Person]:
    people: list[_Person] = []
    bottom_leaders: dict[int, list[_Person]] = {}  # id(node) -> its lowest tier of leaders
    top_leader: dict[int, _Person] = {}

    def nearest(node: _Node) -> _Node | None:
        current = node.parent
        while current is not None and id(current) not in top_leader:
            current = current.parent
        return current

    # Leaders first, top of the tree down (nodes are in depth-first order).
    for node in nodes:
        if not node.leaders:
            continue
        above = nearest(node)
        previous: list[_Person] = []
        for tier_index, tier in enumerate(node.leaders):
            current: list[_Person] = []
            for i, (rank, role) in enumerate(tier):
                if tier_index == 0:
                    manager = top_leader[id(above)] if above is not None else None
                else:
                    manager = previous[i % len(previous)]
                shift = "Office hours, Monday to Friday, with on-call"
                person = _Person(node, rank, role, shift, _location(node, i), manager, manager.tier + 1 if manager else 0)
                current.append(person)
                people.append(person)
            if tier_index == 0:
                top_leader[id(node)] = current[0]
            previous = current
        bottom_leaders[id(node)] = previous

    teams = [n for n in nodes if n.team is not None]
    sizes = _allocate(scale.staff - len(people), [_team_size(n) for n in teams])
    for team_index, (node, size) in enumerate(zip(teams, sizes, strict=True)):
        above = nearest(node)
        assert above is not None
        leads = bottom_leaders[id(above)]
        boss = leads[team_index % len(leads)]
        profile = _team_profile(node)
        team = node.team
        assert team is not None
        role_fill = team.role or (node.command.role if node.command else "") or "Officer"
        location = _location(node, team_index)
        head: _Person | None = None
        remaining = size
        if profile.head and size >= profile.head_min:
            head = _Person(node, profile.head[0], profile.head[1], profile.shift, location, boss, boss.tier + 1)
            people.append(head)
            remaining -= 1
        supervisors: list[_Person] = []
        if profile.supervisor and remaining >= 3:
            count = max(1, round(remaining / (profile.span + 1)))
            above_sup = head or boss
            for n in range(count):
                sup = _Person(node, profile.supervisor[0], profile.supervisor[1], profile.shift_for(n), location, above_sup, above_sup.tier + 1)
                supervisors.append(sup)
                people.append(sup)
            remaining -= count
        choices = [(rank, role or role_fill) for rank, role, _ in profile.members]
        weights = [w for _, _, w in profile.members]
        for i in range(remaining):
            rank, role = rng.choices(choices, weights)[0]
            manager = supervisors[i % len(supervisors)] if supervisors else (head or boss)
            people.append(_Person(node, rank, role, profile.shift_for(i), location, manager, manager.tier + 1, member=True))
    return people


def _team_profile(node: _Node) -> Profile:
    team, command = node.team, node.command
    assert team is not None
    if team.profile:
        return team.profile
    if command:
        return command.profile
    return OFFICE


def _team_size(node: _Node) -> int:
    team, command = node.team, node.command
    assert team is not None
    return team.size or (command.size if command else 20)


def _email_part(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _create_staff(people: list[_Person], rng: random.Random) -> int:
    ranks = RankGrade.objects.in_bulk(field_name="code")
    missing = {p.rank for p in people} - set(ranks)
    if missing:
        raise SeedError(f"Ranks and grades missing (run migrations first): {', '.join(sorted(missing))}")
    numbers = rng.sample(range(100000, 1000000), len(people))
    used_emails: set[str] = set()
    objects: dict[int, Staff] = {}
    for person, number in zip(people, numbers, strict=True):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        stem = f"{_email_part(first)}.{_email_part(last)}"
        suffix = rng.randint(10, 99)
        while f"{stem}{suffix}" in used_emails:  # a common name: take the next free number
            suffix += 1
        used_emails.add(f"{stem}{suffix}")
        low, high = SERVICE_YEARS.get(person.rank, (0, 20))
        start = SERVICE_REFERENCE_DATE - dt.timedelta(days=rng.randint(low * 365 + 30, high * 365 + 300))
        leave = None
        if person.member and rng.random() < LEAVER_SHARE:
            leave = SERVICE_REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 330))
            start = min(start, leave - dt.timedelta(days=180))
        assert person.node.unit is not None
        objects[id(person)] = Staff(
            staff_number=f"MP{number:06d}", first_name=first, last_name=last, email=f"{stem}{suffix}@{EMAIL_DOMAIN}",
            unit=person.node.unit, role=person.role, rank_grade=ranks[person.rank], location=person.location,
            shift_pattern=person.shift, start_date=start, leave_date=leave,
        )
    # Insert the management chain tier by tier: a manager always has a
    # primary key (bulk_create returns them) before their reports go in.
    by_tier: dict[int, list[Staff]] = defaultdict(list)
    for person in people:
        staff = objects[id(person)]
        if person.manager is not None:
            staff.line_manager = objects[id(person.manager)]
        by_tier[person.tier].append(staff)
    for tier in sorted(by_tier):
        Staff.objects.bulk_create(by_tier[tier], batch_size=BATCH_SIZE)
    staff_version_bump()  # bulk_create sends no post_save
    return len(objects)


def _go_lives(spec: ProgrammeSpec, today: dt.date) -> list[dt.date]:
    """The waves' go-live dates: the spec's, except the champion network's
    custody wave (the wave of `network.seeding.CUSTODY_PROGRAMME` reaching
    Met Detention), which goes live three weeks after `today` so the demo's
    uncovered custody night shift is always three weeks from go-live."""
    dates = [go_live for _, go_live, _ in spec.waves]
    if spec.code == network_seeding.CUSTODY_PROGRAMME:
        dates = [network_seeding.custody_go_live(today) if network_seeding.CUSTODY_COMMAND in units else go_live
                 for (_, go_live, units) in spec.waves]
    return dates


def _create_programmes(nodes: list[_Node], today: dt.date) -> tuple[int, int, int]:
    by_name: dict[str, Unit] = {}
    for node in nodes:
        if node.level != Unit.Level.TEAM:
            assert node.unit is not None and node.name not in by_name, node.name
            by_name[node.name] = node.unit
    programmes = Programme.objects.bulk_create(
        [Programme(code=s.code, name=s.name, status=s.status, phase=s.phase, description=s.description) for s in PROGRAMMES])
    milestones: list[Milestone] = []
    waves: list[RolloutWave] = []
    wave_units: list[list[Unit]] = []
    for index, (spec, programme) in enumerate(zip(PROGRAMMES, programmes, strict=True)):
        dates = _go_lives(spec, today)
        first, last = min(dates), max(dates)
        # 3 to 6 milestones: always the business case and hypercare exit, and a varying middle.
        middle = list(MILESTONE_TEMPLATES[1:-1])
        keep = middle[index % 3: index % 3 + 1 + index % 4]
        for name, offset, from_last in (MILESTONE_TEMPLATES[0], *keep, MILESTONE_TEMPLATES[-1]):
            due = (last if from_last else first) + dt.timedelta(days=offset)
            milestones.append(Milestone(programme=programme, name=name, due_date=due, completed=due < MILESTONES_DONE_BEFORE))
        for (name, _, unit_names), go_live in zip(spec.waves, dates, strict=True):
            waves.append(RolloutWave(programme=programme, name=name, go_live_date=go_live))
            wave_units.append([by_name[u] for u in unit_names])
    Milestone.objects.bulk_create(milestones)
    RolloutWave.objects.bulk_create(waves)
    through = RolloutWave.units.through
    through.objects.bulk_create(
        [through(rolloutwave_id=wave.pk, unit_id=unit.pk) for wave, units in zip(waves, wave_units, strict=True) for unit in units])
    return len(programmes), len(milestones), len(waves)


def _create_impacts(actor: User | None) -> tuple[int, int]:
    """One approved impact assessment per programme, its lines tied to each
    rollout wave so they move with it. Written through the impact services
    so reach is counted and the audit trail is complete."""
    from changeboard.impacts import services as impact_services

    assessments = lines = 0
    for programme in Programme.objects.prefetch_related("waves__units").order_by("code"):
        assessment = impact_services.assessment_create(programme=programme, title=f"{programme.name} impact assessment", actor=actor)
        templates = IMPACT_TEMPLATES.get(programme.code, IMPACT_TEMPLATES["default"])
        for wave in programme.waves.all():
            for title, dimensions, severity, before, after, hours, roles in templates:
                impact_services.line_save(
                    assessment=assessment, actor=actor, units=list(wave.units.all()), title=f"{title} ({wave.name.split(' – ')[0]})",
                    roles=list(roles), severity=severity, wave=wave, weeks_before_go_live=before, weeks_after_go_live=after,
                    hours_per_person=Decimal(str(hours)), owner=f"{programme.code} business change lead",
                    mitigations="Abstraction agreed with local senior leadership; training slots spread across shifts.",
                    dimensions={d: {"current": "", "future": "", "gap": ""} for d in dimensions},
                )
                lines += 1
        impact_services.assessment_submit(assessment=assessment, actor=actor)
        impact_services.assessment_approve(assessment=assessment, actor=actor)
        assessments += 1
    return assessments, lines


def _demo_champion_staff(first: str, last: str) -> Staff | None:
    """The champion persona is a member of staff in their borough (the first
    response officer there): their HR record takes the persona's name, so
    the network seed can make them an active champion on their own record."""
    staff = (Staff.objects.filter(unit__full_path__contains=f"{PATH_SEPARATOR}Westminster{PATH_SEPARATOR}", role="Response officer",
                                  leave_date__isnull=True).order_by("staff_number").first())
    if staff is None:
        return None
    stem, suffix = f"{_email_part(first)}.{_email_part(last)}", 10
    while Staff.objects.filter(email=f"{stem}{suffix}@{EMAIL_DOMAIN}").exclude(pk=staff.pk).exists():
        suffix += 1
    Staff.objects.filter(pk=staff.pk).update(first_name=first, last_name=last, email=f"{stem}{suffix}@{EMAIL_DOMAIN}")
    staff_version_bump()
    staff.refresh_from_db()
    return staff


def _create_demo_accounts(actor: User | None) -> int:
    for username, role, first, last, scope in DEMO_ACCOUNTS:
        email = f"{username}@{EMAIL_DOMAIN}"
        if role == Role.CHAMPION and (staff := _demo_champion_staff(first, last)) is not None:
            email = staff.email  # the account is found from the HR record when they are nominated
        programmes = list(Programme.objects.filter(code=scope)) if role == Role.CHANGE_MANAGER else None
        units = list(Unit.objects.filter(name=scope, level=Unit.Level.BOROUGH)) if role == Role.CHAMPION else None
        user = user_create(username=username, role=role, actor=actor, password=DEMO_PASSWORD, first_name=first, last_name=last,
                           email=email, programmes=programmes, units=units, is_demo=True)
        if programmes:
            board = User.objects.get(username="board", is_demo=True)
            Programme.objects.filter(pk__in=[p.pk for p in programmes]).update(change_lead=user, sro=board)
    _create_demo_claim_rules(actor)
    return len(DEMO_ACCOUNTS)


def _create_demo_claim_rules(actor: User | None) -> None:
    """The claim rules the local provider's demo people carry
    (`devtools.personas`), so a demo person signing in by single sign-on gets
    the role and scope of their demo account."""
    for username, role, _first, _last, scope, claim in DEMO_PERSONAS:
        fields: dict[str, Any] = {
            "role": role, "description": f"Demo: the {username} persona of the local identity provider.",
            "programmes": list(Programme.objects.filter(code=scope)) if role == Role.CHANGE_MANAGER else [],
            "units": list(Unit.objects.filter(name=scope, level=Unit.Level.BOROUGH)) if role == Role.CHAMPION else [],
        }
        existing = ClaimRule.objects.filter(claim_value=claim).first()
        if existing is None:
            claim_rule_create(claim_value=claim, actor=actor, **fields)
        else:
            claim_rule_update(rule=existing, actor=actor, is_active=True, **fields)


def _create_cutover(scale: str, seed: int, actor: User | None) -> dict[str, int]:
    """The cutover runbooks (after the demo accounts, who own tasks), and the
    demo runbook's one finished rehearsal, run by the programme's change lead."""
    from changeboard.cutover.models import Runbook

    counts = seed_cutover(scale=scale, seed=seed, actor=actor)
    counts["rehearsals"] = 0
    demo = Runbook.objects.filter(programme__code=DEMO_PROGRAMME, is_template=False).order_by("pk").first()
    if demo is not None and demo.programme is not None and demo.programme.change_lead is not None:
        seed_rehearsal(demo, seed=seed)
        counts["rehearsals"] = 1
    return counts


# --------------------------------------------------------------------------
# Public entry points


def existing_data_counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "staff": Staff.objects.count(),
        "programmes": Programme.objects.count(),
        "demo_accounts": User.objects.filter(is_demo=True).count(),
    }


@transaction.atomic
def clear_seeded_data(*, actor: User | None) -> dict[str, int]:
    """Delete programmes, staff, units and demo accounts (what a seed creates);
    one audit row records the counts removed."""
    counts = existing_data_counts()
    try:
        counts.update(capability_seeding.clear_capability_data())  # before the staff, units and programmes it refers to
        counts.update(clear_survey_data())
        counts.update(clear_cutover_data())
        counts.update(clear_hypercare_data())
        counts.update(clear_engagement_data())  # before the staff and units its register protects
        counts.update(network_seeding.clear_network_data())  # before the staff its pool protects
        ImpactAssessment.objects.all().delete()
        Programme.objects.all().delete()
        Staff.objects.all().delete()
        staff_version_bump()
        Unit.objects.all().delete()
        User.objects.filter(is_demo=True).delete()
        ClaimRule.objects.filter(claim_value__in=[persona[5] for persona in DEMO_PERSONAS]).delete()
    except (ProtectedError, RestrictedError) as exc:
        blocking = sorted({str(obj._meta.verbose_name_plural) for obj in exc.args[1]})
        raise SeedError(f"Cannot clear the seed data: other records still refer to it ({', '.join(blocking)}).") from exc
    if any(counts.values()):
        audit.record(actor=actor, action="delete", object_type="core.seed", object_repr="Seed data removed", before=counts)
    return counts


@transaction.atomic
def seed_force(*, scale: str, seed: int = DEFAULT_SEED, actor: User | None = None, replace: bool = False) -> SeedResult:
    """Build the fictional force at `scale` from `seed`. Refuses when data
    exists unless `replace`, which clears it first."""
    if scale not in SCALES:
        raise SeedError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}.")
    started = time.perf_counter()
    config = SCALES[scale]
    existing = existing_data_counts()
    if any(existing.values()):
        if not replace:
            found = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in existing.items() if count)
            raise SeedError(f"The database already holds data ({found}). Use --replace to clear it first, or --if-empty.")
        clear_seeded_data(actor=actor)
    rng = random.Random(seed)
    today = timezone.localdate()
    nodes = _create_units(_build_tree(config))
    people = _place_people(nodes, config, rng)
    staff_count = _create_staff(people, rng)
    programme_count, milestone_count, wave_count = _create_programmes(nodes, today)
    assessment_count, line_count = _create_impacts(actor)
    survey_counts = seed_surveys(scale=scale, seed=seed, actor=actor)
    readiness_counts = seed_readiness(seed=seed, actor=actor)
    demo_count = _create_demo_accounts(actor) if config.demo_accounts else 0
    cutover_counts = _create_cutover(scale, seed, actor)
    # After the demo accounts: they are on the support teams.
    hypercare_counts = seed_hypercare(scale=scale, seed=seed, actor=actor, total=met_total(config.staff) if scale == "met" else None)
    # Last: the register maps the demo accounts' programmes and the impacts; messages reach the staff.
    engagement_counts = seed_engagement(scale=scale, seed=seed, actor=actor)
    # After everything: the champions' activities and themes refer to the programmes, units and demo accounts.
    network_counts = network_seeding.seed_network(scale=scale, seed=seed, actor=actor, today=today)
    # After the network: practitioners are drawn from its champions; journeys link its activities.
    capability_counts = capability_seeding.seed_capability(scale=scale, seed=seed, actor=actor, today=today,
                                                          password=DEMO_PASSWORD if config.demo_accounts else None)
    counts = {
        "units": len(nodes),
        "boroughs": sum(1 for n in nodes if n.level == Unit.Level.BOROUGH),
        "staff": staff_count,
        "leavers": Staff.objects.filter(leave_date__isnull=False).count(),
        "programmes": programme_count,
        "milestones": milestone_count,
        "rollout_waves": wave_count,
        "impact_assessments": assessment_count,
        "impact_lines": line_count,
        "demo_accounts": demo_count,
        **survey_counts,
        **readiness_counts,
        **cutover_counts,
        **hypercare_counts,
        **engagement_counts,
        **network_counts,
        **capability_counts,
    }
    audit.record(actor=actor, action="create", object_type="core.seed", object_repr=f"Seed data ({scale}, seed {seed})",
                 after={"scale": scale, "seed": seed, **counts})
    return SeedResult(scale=scale, seed=seed, counts=counts, seconds=time.perf_counter() - started)


def demo_account_rows() -> list[tuple[str, str, str]]:
    """(username, role, scope) for each demo account."""
    rows = []
    for user in User.objects.filter(is_demo=True).prefetch_related("programmes", "units").order_by("pk"):
        if user.role == Role.CHANGE_MANAGER:
            scope = ", ".join(str(p) for p in user.programmes.all()) or "no programmes"
        elif user.role == Role.CHAMPION:
            scope = ", ".join(u.name for u in user.units.all()) or "no units"
        elif user.role == Role.AUDITOR:
            scope = "audit trail (read-only)"
        elif user.role == Role.BOARD:
            scope = "all programmes (read-only)"
        else:
            scope = "everything"
        rows.append((user.username, user.get_role_display(), scope))
    return rows


@transaction.atomic
def remove_demo_accounts(*, actor: User | None = None) -> int:
    """Delete every demo account. Audit rows they wrote keep their actor_name.
    The coaching sessions a demo account coached go with it (a session keeps
    its coach: `CoachingSession.coach` protects the account)."""
    users = list(User.objects.filter(is_demo=True))
    audit.record_many([audit.build(actor=actor, action="delete", obj=u, before=audit.snapshot(u)) for u in users])
    CoachingSession.objects.filter(coach__in=users).delete()
    User.objects.filter(pk__in=[u.pk for u in users]).delete()
    return len(users)
