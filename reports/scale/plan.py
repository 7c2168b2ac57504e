"""How much the generator writes: the streets' shares, the yearly counts and the rates per person."""

REFERENCE_PERSONS = 200_000  # the size the per-year counts below are written for
# Share of the registry per street: the northern streets and Pengpu town are the most populous.
STREET_WEIGHTS = {
    "310106006": 6,
    "310106011": 4,
    "310106012": 4,
    "310106013": 4,
    "310106014": 6,
    "310106015": 4,
    "310106016": 5,
    "310106017": 6,
    "310106018": 9,
    "310106019": 8,
    "310106020": 10,
    "310106021": 8,
    "310106022": 7,
    "310106100": 14,
}
# Records a year at 200,000 persons (the article's 2023 figures for about 40,000, times five).
PER_YEAR = {"courses": 100, "placements": 1600, "graduates": 30, "events": 100, "ramps": 200, "awards": 40}
VISIT_RATE = 0.5  # visits per person and year
ESCORT_RATE = 0.12  # share of deaf, blind and speech-impaired persons escorted in a year (1-3 times)
RETROFIT_RATE = 0.011  # home retrofits per person and year
DEVICE_RATE = 0.0075
EVENT_WEIGHTS = {"culture": 30, "sports": 25, "esports": 5, "prevention": 10, "training": 15, "party_building": 5}
