#include "ledger_ops.h"

namespace hub::ledger {

// Append-only: a released step is never edited; a change is a new step with the next
// version. Times are milliseconds since the Unix epoch (UTC); codes are canonical unless a
// column says "given".
static constexpr sqlite::Migration kSteps[] = {
    {1, R"sql(
CREATE TABLE organizations (
    code       TEXT PRIMARY KEY,
    given_code TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    parent     TEXT NOT NULL DEFAULT '',
    category   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
    route      TEXT NOT NULL DEFAULT 'LOCAL' CHECK (route IN ('LOCAL', 'NATIONAL'))
) WITHOUT ROWID;

CREATE TABLE org_aliases (
    code     TEXT NOT NULL REFERENCES organizations(code) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    alias    TEXT NOT NULL,
    PRIMARY KEY (code, position)
) WITHOUT ROWID;

CREATE TABLE client_certs (
    sha256  TEXT PRIMARY KEY,
    code    TEXT NOT NULL REFERENCES organizations(code) ON DELETE CASCADE,
    revoked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX client_certs_by_org ON client_certs(code);

CREATE TABLE signer_certs (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL REFERENCES organizations(code) ON DELETE CASCADE,
    sha256  TEXT NOT NULL DEFAULT '',
    uid     TEXT NOT NULL DEFAULT '',
    revoked INTEGER NOT NULL DEFAULT 0,
    UNIQUE (code, sha256, uid)
);

CREATE TABLE envelopes (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    sender          TEXT NOT NULL,
    sender_given    TEXT NOT NULL,
    envelope_id     TEXT NOT NULL,
    document_id     TEXT NOT NULL,
    business_type   INTEGER NOT NULL,
    header          BLOB NOT NULL,
    signature       BLOB NOT NULL,
    header_sha256   TEXT NOT NULL,
    content_digest  TEXT NOT NULL,
    receipt         BLOB NOT NULL,
    accepted_at     INTEGER NOT NULL,
    reply_requested INTEGER NOT NULL DEFAULT 0,
    reply_due       TEXT NOT NULL DEFAULT '',
    replaces        TEXT NOT NULL DEFAULT '',
    UNIQUE (sender, envelope_id)
);
CREATE INDEX envelopes_by_id ON envelopes(envelope_id);
CREATE INDEX envelopes_by_document ON envelopes(document_id);
CREATE INDEX envelopes_by_replaces ON envelopes(replaces) WHERE replaces <> '';

CREATE TABLE envelope_replies (
    envelope_seq INTEGER NOT NULL REFERENCES envelopes(seq),
    position     INTEGER NOT NULL,
    document_id  TEXT NOT NULL,
    PRIMARY KEY (envelope_seq, position)
) WITHOUT ROWID;
CREATE INDEX replies_by_document ON envelope_replies(document_id);

CREATE TABLE attachments (
    envelope_seq INTEGER NOT NULL REFERENCES envelopes(seq),
    position     INTEGER NOT NULL,
    content_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    role         INTEGER NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (envelope_seq, position)
) WITHOUT ROWID;
CREATE INDEX attachments_by_blob ON attachments(sha256);

CREATE TABLE deliveries (
    delivery_id          TEXT PRIMARY KEY,
    envelope_seq         INTEGER NOT NULL REFERENCES envelopes(seq),
    position             INTEGER NOT NULL,
    recipient            TEXT NOT NULL,
    recipient_given      TEXT NOT NULL,
    route                INTEGER NOT NULL,
    created_at           INTEGER NOT NULL,
    arrived_at           INTEGER,
    official_received_at INTEGER,
    handling_deadline    INTEGER,
    state                TEXT NOT NULL DEFAULT 'PENDING'
);
CREATE INDEX deliveries_by_envelope ON deliveries(envelope_seq, position);
CREATE INDEX deliveries_by_recipient ON deliveries(recipient, envelope_seq);
CREATE INDEX deliveries_unarrived ON deliveries(envelope_seq) WHERE arrived_at IS NULL;
CREATE INDEX deliveries_by_deadline ON deliveries(handling_deadline)
    WHERE handling_deadline IS NOT NULL;

CREATE TABLE status_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    status_id    TEXT NOT NULL UNIQUE,
    delivery_id  TEXT NOT NULL REFERENCES deliveries(delivery_id),
    envelope_seq INTEGER NOT NULL REFERENCES envelopes(seq),
    reporter     TEXT NOT NULL,
    counterpart  TEXT NOT NULL,
    code         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    staff        BLOB NOT NULL DEFAULT x'',
    reported_at  TEXT NOT NULL DEFAULT '',
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX status_by_delivery ON status_events(delivery_id, seq);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
)sql"},
    // 2: the status notice outbox (a notice is kept until the other party acks it, so one
    // lost between the commit and the queue publish is re-published at start-up), and the
    // reply deadline as an instant so late replies (R-13) are one indexed query. Rows from
    // version 1 read back with no notice, not notified and no deadline.
    {2, R"sql(
ALTER TABLE status_events ADD COLUMN notice BLOB NOT NULL DEFAULT x'';
ALTER TABLE status_events ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
CREATE INDEX status_unnotified ON status_events(seq)
    WHERE notified = 0 AND notice <> x'';

ALTER TABLE envelopes ADD COLUMN reply_deadline INTEGER;
CREATE INDEX envelopes_by_reply_deadline ON envelopes(reply_deadline)
    WHERE reply_requested <> 0 AND reply_deadline IS NOT NULL;
)sql"},
    // 3: small attachments travel inside the envelope's own transaction instead of going
    // through the BlobStore first (a file write, two fsyncs and a rename each), so a batch of
    // envelopes costs one fsync. Bytes are keyed by digest, so identical content is stored
    // once. A rowid table (not WITHOUT ROWID) because its rows are large. Attachments from
    // earlier versions read back as BlobStore ones.
    {3, R"sql(
CREATE TABLE attachment_content (
    sha256 TEXT PRIMARY KEY NOT NULL,
    bytes  BLOB NOT NULL
);
ALTER TABLE attachments ADD COLUMN in_ledger INTEGER NOT NULL DEFAULT 0;
)sql"},
    // 4: the ledger becomes the only home of delivery state. `outbox` holds every item owed
    // to a recipient (an envelope's delivery, a status notice), written in the transaction
    // that creates it; its `seq` is acceptance order across both kinds. The embedded inbox is
    // served straight from it (channel 'inbox'); external carriers drain their own channel
    // ('national'). An item is done when its recipient acked it (or the far side confirmed
    // it). Items owed under version 3 (deliveries not arrived, notices not acked) are carried
    // over, deliveries first, in their old order. status_events.notified is no longer
    // written: the outbox item is the one record of it.
    // Statuses gain a request digest (a retried report is the same report). Organizations
    // remember an operator's suspension, so a registry file import leaves it, and both they
    // and client certificates remember whether the file or an operator added them, so an
    // import withdraws what the file dropped and nothing an operator added.
    {4, R"sql(
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('envelope', 'status')),
    ref         INTEGER NOT NULL,
    recipient   TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('inbox', 'national')),
    created_at  INTEGER NOT NULL,
    visible_at  INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    done_at     INTEGER,
    external_id TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_open ON outbox(channel, recipient, seq) WHERE done_at IS NULL;

INSERT INTO outbox (item_id, kind, ref, recipient, channel, created_at)
    SELECT delivery_id, 'envelope', envelope_seq, recipient,
           CASE route WHEN 2 THEN 'national' ELSE 'inbox' END, created_at
    FROM deliveries WHERE arrived_at IS NULL ORDER BY envelope_seq, position;
INSERT INTO outbox (item_id, kind, ref, recipient, channel, created_at)
    SELECT status_id, 'status', seq, counterpart, 'inbox', recorded_at
    FROM status_events WHERE notice <> x'' AND notified = 0 ORDER BY seq;
INSERT INTO outbox (item_id, kind, ref, recipient, channel, created_at, done_at)
    SELECT status_id, 'status', seq, counterpart, 'inbox', recorded_at, recorded_at
    FROM status_events WHERE notice <> x'' AND notified <> 0 ORDER BY seq;

ALTER TABLE status_events ADD COLUMN request_digest TEXT NOT NULL DEFAULT '';
CREATE INDEX status_by_request ON status_events(reporter, request_digest)
    WHERE request_digest <> '';

ALTER TABLE envelopes ADD COLUMN warnings TEXT NOT NULL DEFAULT '';

ALTER TABLE organizations ADD COLUMN operator_suspended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN from_file INTEGER NOT NULL DEFAULT 1;
ALTER TABLE client_certs ADD COLUMN from_file INTEGER NOT NULL DEFAULT 1;

CREATE INDEX envelopes_by_sender_document ON envelopes(sender, document_id);
)sql"},
    // 5: carriers other than the embedded inbox (the national axis, a broker) drain the
    // outbox through a relay. `relayed_at` records that the far side confirmed an item (for
    // the broker the item stays open until its recipient acks it); `dead_at` parks an item
    // the carrier could not deliver within the delivery limit until an operator decides.
    {5, R"sql(
ALTER TABLE outbox ADD COLUMN relayed_at INTEGER;
ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
CREATE INDEX outbox_relay ON outbox(channel, seq)
    WHERE relayed_at IS NULL AND done_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead ON outbox(dead_at) WHERE dead_at IS NOT NULL AND done_at IS NULL;
)sql"},
    // 6: what operators decide about the hub itself. One row at most: maintenance mode is a
    // state, not a history (the audit log is the history).
    {6, R"sql(
CREATE TABLE maintenance (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    active        INTEGER NOT NULL,
    notice        TEXT NOT NULL,
    retry_after_s INTEGER NOT NULL,
    changed_at    INTEGER NOT NULL,
    changed_by    TEXT NOT NULL
);
)sql"},
    // 7: envelopes that came as edXML (POST /v1/edxml, issue 9) keep the package bytes as
    // received, so recipients can get exactly what crossed the boundary; an organization may
    // be allowed unsigned edXML for a transition period.
    {7, R"sql(
ALTER TABLE envelopes ADD COLUMN edxml_package BLOB NOT NULL DEFAULT x'';
ALTER TABLE organizations ADD COLUMN unsigned_edxml INTEGER NOT NULL DEFAULT 0;
)sql"},
    // 8: document systems that act for several units on the provincial API façade (issue 9).
    // A unit's secret is kept as its SHA-256 only; the file is authoritative for them.
    {8, R"sql(
CREATE TABLE systems (
    name TEXT PRIMARY KEY
);
CREATE TABLE system_certs (
    sha256 TEXT PRIMARY KEY,
    system TEXT NOT NULL REFERENCES systems(name) ON DELETE CASCADE
);
CREATE TABLE system_units (
    system        TEXT NOT NULL REFERENCES systems(name) ON DELETE CASCADE,
    system_id     TEXT NOT NULL,
    code          TEXT NOT NULL REFERENCES organizations(code),
    secret_sha256 TEXT NOT NULL,
    PRIMARY KEY (system, system_id)
);
)sql"},
    // 9: the national directory (getAgenciesListQD20), replaced whole on every sync; the
    // single row of directory_sync says when.
    {9, R"sql(
CREATE TABLE national_directory (
    code    TEXT PRIMARY KEY,
    code102 TEXT NOT NULL,
    name    TEXT NOT NULL,
    axis_id TEXT NOT NULL
);
CREATE TABLE directory_sync (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    synced_at INTEGER NOT NULL
);
)sql"},
};

std::span<const sqlite::Migration> schema_steps() { return kSteps; }

}  // namespace hub::ledger
