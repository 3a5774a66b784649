#!/usr/bin/env bash
# A first tour of the API and the command line. After scripts/run, in a second terminal at the checkout:
#   docs/walkthrough.sh        (or paste it block by block; it needs curl, jq and python3)
# FIELDSCAN_URL says where the service is; the files it writes go to a new temporary folder.
set -euo pipefail
URL="${FIELDSCAN_URL:-http://127.0.0.1:8000}"
OUT="$(mktemp -d)"
export PATH="$PWD/.venv/bin:$PATH"                      # the `fieldscan` command (or: source .venv/bin/activate)

# 1. Sign in as the demo admin; every request after this carries the token.
TOKEN=$(curl -sS --fail-with-body "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email": "admin@demo.example", "password": "fieldscan-demo"}' | jq -r .token)
api() { curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
api "$URL/api/v1/me" | jq -r '"signed in as \(.email) (\(.role)) in \(.tenant.name)"'

# 2. Create an asset: a name is enough; the tag, category and location get defaults.
ASSET=$(api "$URL/api/v1/inventory-items" -d '{"name": "Dell Latitude 7440", "serial": "5CG3471JQZ"}')
ID=$(echo "$ASSET" | jq -r .id); TAG=$(echo "$ASSET" | jq -r .tag); LOCATION=$(echo "$ASSET" | jq -r .locationId)
echo "created $TAG, its label opens $(echo "$ASSET" | jq -r .qrUrl)"

# 3. Start an audit of the asset's location: what should be there is counted from now on.
AUDIT=$(jq -n --arg location "$LOCATION" '{name: "Walkthrough audit", locationId: $location}')
SESSION=$(api "$URL/api/v1/sessions" -d "$AUDIT" | jq -r .id)

# 4. Scan its label. clientScanId is a UUID made by the scanner: sent twice, the scan counts once.
SCAN_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
SCAN=$(jq -n --arg code "$URL/a/$TAG" --arg id "$SCAN_ID" '{code: $code, clientScanId: $id}')
api "$URL/api/v1/sessions/$SESSION/scan" -d "$SCAN" | jq -r '"scan: \(.result), \(.progress.scanned) of \(.progress.total)"'
api "$URL/api/v1/sessions/$SESSION/scan" -d "$SCAN" | jq -r '"resent: \(.result), \(.progress.scanned) of \(.progress.total)"'

# 5. Undo it, then scan it again by its bare tag.
api "$URL/api/v1/sessions/$SESSION/unscan" -d "$(jq -n --arg id "$ID" '{itemId: $id}')" | jq -r '"undone: \(.progress.scanned) of \(.progress.total)"'
api "$URL/api/v1/sessions/$SESSION/scan" -d "$(jq -n --arg code "$TAG" '{code: $code}')" | jq -r '"scan: \(.result)"'

# 6. Finish the audit and read its report (JSON; ?format=csv or ?format=html for a printable page).
api -X PATCH "$URL/api/v1/sessions/$SESSION" -d '{"status": "completed"}' | jq -r '"audit \(.status)"'
api "$URL/api/v1/sessions/$SESSION/report" | jq -c .totals
api "$URL/api/v1/sessions/$SESSION/report?format=csv" > "$OUT/report.csv"

# 7. Print labels: one thermal label as ZPL, then a sheet of a whole location's labels starting at the 8th
#    label of a partly used A4 sheet; the command line prints too.
api "$URL/api/v1/inventory-items/$ID/label?template=thermal-50x25&format=zpl" > "$OUT/tag.zpl"
SHEET=$(jq -n --arg location "$LOCATION" \
  '{filter: {locationId: $location, includeSublocations: true}, template: "avery-l7160", format: "pdf", startPosition: 8}')
api "$URL/api/v1/labels/print" -d "$SHEET" > "$OUT/sheet.pdf"
fieldscan labels --tenant demo --ids "$TAG" -o "$OUT/labels.pdf"

# 8. Import a spreadsheet: check it first, then import it (rows are matched by tag, so it is safe to repeat).
fieldscan import docs/examples/assets.csv --tenant demo --dry-run
fieldscan import docs/examples/assets.csv --tenant demo
api "$URL/api/v1/inventory-items?q=WH-&limit=10" | jq -r '.items[] | "\(.tag)  \(.status)  \(.name)"'

echo "files written to $OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
