-- Recipient-key encryption: a trusted device's X25519 public key (it arrives in the
-- header of the device's bundles), so that a bundle can be encrypted for that device
-- alone. This device's own X25519 key pair is kept in sync_identity ('exchange_key').
ALTER TABLE sync_trust ADD COLUMN exchange_key BLOB;
