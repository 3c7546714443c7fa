import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// `_audit_log.id` defaults to a time-ordered UUID (version 7) instead of a random one: every
// write inserts an audit row, and random keys spread those inserts over the whole primary key
// index, so after each checkpoint nearly every insert into a large audit log writes a full-page
// image of another leaf to the WAL (measured on a 1M-row log: ~4 KB of WAL per insert against
// ~0.3 KB with time-ordered keys). PostgreSQL 18 has uuidv7(); on 14–17 `_rocket_uuidv7()` builds
// the same layout from gen_random_uuid(): the first 48 bits become the Unix time in ms and the
// version nibble 7 (bits 52 and 53 of the bytea, i.e. 0100 → 0111). Existing ids stay as they are.
export async function up (db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version_num') AS v`.execute(db)
  if (Number(rows[0]?.v ?? 0) >= 180000) {
    await sql`ALTER TABLE _audit_log ALTER COLUMN id SET DEFAULT uuidv7()`.execute(db)
    return
  }
  await sql`
    CREATE OR REPLACE FUNCTION _rocket_uuidv7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
      SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
        52, 1), 53, 1), 'hex')::uuid
    $$`.execute(db)
  await sql`ALTER TABLE _audit_log ALTER COLUMN id SET DEFAULT _rocket_uuidv7()`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _audit_log ALTER COLUMN id SET DEFAULT gen_random_uuid()`.execute(db)
  await sql`DROP FUNCTION IF EXISTS _rocket_uuidv7()`.execute(db)
}
