"""Counts printed by the commands have the language's digit groups ("37 265", "37,265")."""
from desktop_app.commands.sync_bundle import print_summary
from desktop_app.i18n import set_language
from desktop_app.sync.exchange import ImportSummary


def _summary() -> ImportSummary:
    return ImportSummary("b1", "dev", "GRM", changes=41000, new=37265, updated=1204,
                         unchanged=2531, conflicts=0, duplicates=12, quarantined=1500)


def test_import_summary_counts_have_digit_groups_in_english(capsys):
    print_summary(_summary(), "grm.hamroh")
    out = capsys.readouterr().out
    assert "37,265 new" in out and "1,204 updated" in out and "1,500 changes" in out
    assert "37265" not in out


def test_import_summary_counts_have_digit_groups_in_russian(capsys):
    set_language("ru")
    print_summary(_summary(), "grm.hamroh")
    out = capsys.readouterr().out
    assert "37\xa0265" in out and "1\xa0204" in out and "1\xa0500" in out
    assert "37265" not in out
