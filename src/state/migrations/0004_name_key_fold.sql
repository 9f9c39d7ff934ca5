-- User name keys are now case folded (nameKey in src/state/directory.ts: upper case, then
-- lower), so that `ß` and `ss` are one letter. Keys written before were lower case: the one
-- difference SQL can mend is `ß`. A key with a word-final `σ` written before stays as it was.
UPDATE users SET name_key = replace(name_key, 'ß', 'ss') WHERE instr(name_key, 'ß') > 0;
