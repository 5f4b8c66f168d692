-- A person who arrives after their case (sync) marks that case's search keys stale.
-- The trigger did it row by row, and any trigger makes each INSERT of a person keep a
-- statement journal: inside an enclosing savepoint (a spreadsheet import, the demo
-- generator) that journal is never cut back, and a batch of n people cost n² (10,000
-- people into a register of 80,000 took 108 s instead of 2 s). PersonRepository now
-- marks the cases of its new people in one statement per batch.
DROP TRIGGER IF EXISTS person_case_search_new;
