"""Running seed_demo a second time adds, removes and duplicates nothing, in any table."""


def test_a_second_run_changes_no_row_count(demo_year):
    first, second = demo_year.first, demo_year.second
    changed = {label: (n, second[label]) for label, n in first.items() if second[label] != n}
    assert changed == {}
    assert demo_year.first["services.Person"] >= 3000
