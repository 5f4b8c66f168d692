-- person_birth_date and person_created (0002) index the same columns as
-- person_list_birth and person_list_created (0009): every insert and update of a person
-- maintained each twice. The list indexes stay (the People list names them).
DROP INDEX IF EXISTS person_birth_date;
DROP INDEX IF EXISTS person_created;
