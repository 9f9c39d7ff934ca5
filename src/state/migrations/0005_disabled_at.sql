-- When each user was last disabled (epoch ms; NULL: never). A browser session begun before it
-- stays ended when the user is enabled again (src/pages/wsfed.ts localUser). A user disabled
-- when this column arrives is taken as disabled at its last change, which is no later than that.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
UPDATE users SET disabled_at = updated_at WHERE enabled = 0;
