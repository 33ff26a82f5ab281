-- Sign-ups per client address, counted over an hour so one address cannot create stores
-- without end (each also costs a password hash).
CREATE TABLE sign_up_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX sign_up_attempts_address ON sign_up_attempts (address, at);
