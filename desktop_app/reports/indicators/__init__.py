"""The indicators of a report, one module per group (people, cases, inspections,
trainings, loans) over the shared vocabulary of ``base``; ``catalogue`` lists them all,
in report order. Importing a group module registers nothing: only the catalogue collects."""
