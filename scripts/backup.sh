#!/usr/bin/env bash
# Back the portal up: the database in PostgreSQL's custom format and the uploaded files.
#
#   scripts/backup.sh [DIR]     DIR defaults to backups/<YYYYmmdd-HHMMSS>
#
# DATABASE_URL names the database (postgres://…); MEDIA_ROOT the uploaded files (default
# ./media). Writes DIR/db.dump (pg_dump -Fc), DIR/media.tar.gz and DIR/manifest.txt (what,
# when, from where, with checksums). Restore with scripts/restore.sh DIR.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
MEDIA_ROOT="${MEDIA_ROOT:-media}"
dir="${1:-backups/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$dir"

pg_dump --format=custom --no-owner --file="$dir/db.dump" "$DATABASE_URL"
if [ -d "$MEDIA_ROOT" ]; then
  tar -czf "$dir/media.tar.gz" -C "$MEDIA_ROOT" .
else
  tar -czf "$dir/media.tar.gz" --files-from=/dev/null
fi
{
  echo "created: $(date --iso-8601=seconds)"
  echo "database: ${DATABASE_URL%%://*}://…/${DATABASE_URL##*/}"
  echo "media: $MEDIA_ROOT"
  (cd "$dir" && sha256sum db.dump media.tar.gz)
} > "$dir/manifest.txt"
echo "백업 완료 / backup written: $dir"
