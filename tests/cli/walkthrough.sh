#!/usr/bin/env bash
# Runs the docs/CLI.md walkthrough against a running local network (scripts/up), checking
# each step's outcome. Usage: tests/cli/walkthrough.sh [REPO_ROOT]
# Needs: scripts/up already run (nodes up, .localnet/ written), build/cli/consentctl built.
# CONSENTD_NET, CONSENTCTL and CONSENTD_NODE point it at another network, binary or node.
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
ctl=${CONSENTCTL:-$root/build/cli/consentctl}
net=${CONSENTD_NET:-$root/.localnet}
consentctl() { "$ctl" "$@"; }
fail() { echo "walkthrough: FAILED: $*" >&2; exit 1; }

[ -f "$net/genesis.json" ] || fail "no network in $net: run scripts/up first"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ln -s "$net" .localnet

consentctl status

# 1. Keys
export CUSTOMER_PASS='correct horse battery staple'
consentctl key new --out customer.json --passphrase-env CUSTOMER_PASS
CUSTOMER=$(consentctl key export-public customer.json)
consentctl key show customer.json
# A key per insurer from the same root, and a link of two of them for the regulator.
consentctl key derive customer.json --controller insurer-a --out customer-at-a.json --passphrase-env CUSTOMER_PASS
[ "$(consentctl key export-public customer-at-a.json)" != "$CUSTOMER" ] || fail "derived key is the root"
consentctl key link customer.json --controller insurer-a --controller insurer-b --audience regulator \
  --out link.json --passphrase-env CUSTOMER_PASS
consentctl key verify-link link.json --audience regulator

# 2. A notice version newer than any an earlier run published: the chain's height only grows.
version=$(consentctl status --json | sed -n 's/^  "height": \([0-9]*\),*/\1/p')
version=$((version + 1))
consentctl tx notice.publish --controller insurer-a --notice-id 5f0c3a9e21d84b7c96e1a2b3c4d5e6f7 --version "$version" \
  --notice-hash "$(echo "insurer-a privacy notice v$version" | sha256sum | cut -d' ' -f1)" \
  --key .localnet/keys/insurer-a.json --submit --wait

# 3. Grant through a partly signed file.
consentctl tx consent.grant --controller insurer-a --subject "key:$CUSTOMER" \
  --purposes ClaimsHandling --categories Contact --recipients processor --separate true \
  --notice "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:$version" --collection-method app \
  --valid-from 2026-01-01T00:00:00Z --valid-until 2030-01-01T00:00:00Z \
  --key customer.json --passphrase-env CUSTOMER_PASS --out grant.json
consentctl tx show grant.json
consentctl tx sign grant.json --key .localnet/keys/insurer-a.json
consentctl submit grant.json --wait --receipt-out grant-receipt.json
CONSENT=$(consentctl tx id grant.json)
insurer=(--token-file .localnet/tokens.json --as insurer-a)   # reads need a token
consentctl consent show "$CONSENT" "${insurer[@]}"

# 4. Share and check.
consentctl tx sharing.record --sender insurer-a --recipient processor --subject "key:$CUSTOMER" \
  --purpose ClaimsHandling --categories Contact --destination CN --legal-basis consent \
  --shared-at now --key .localnet/keys/insurer-a.json --submit --wait
auditor=(--token-file .localnet/tokens.json --as auditor)
consentctl check --subject "key:$CUSTOMER" --recipient processor --purpose ClaimsHandling \
  --category Contact "${auditor[@]}" || fail "check before the withdrawal is not allowed"

# 5. Withdraw: check flips at the withdrawal time.
BEFORE=$(date +%s%3N)   # now, in Unix milliseconds
sleep 1
consentctl tx consent.withdraw --consent-id "$CONSENT" \
  --key customer.json --passphrase-env CUSTOMER_PASS --submit --wait \
  --receipt-out withdraw-receipt.json
if consentctl check --subject "key:$CUSTOMER" --recipient processor --purpose ClaimsHandling \
  --category Contact "${auditor[@]}"; then
  fail "check after the withdrawal is still allowed"
fi
consentctl check --subject "key:$CUSTOMER" --recipient processor --purpose ClaimsHandling \
  --category Contact --at "$BEFORE" "${auditor[@]}" || fail "check at $BEFORE changed"

# 6. Receipts, verified offline.
consentctl receipt get "$CONSENT" --out fetched-receipt.json "${insurer[@]}"
consentctl receipt verify fetched-receipt.json --genesis .localnet/genesis.json
# The customer, with their own key and no insurer.
consentctl consents --sign-key customer.json --passphrase-env CUSTOMER_PASS --json |
  grep -q "$CONSENT" || fail "the customer's own consents do not list $CONSENT"
consentctl receipt get "$CONSENT" --out my-receipt.json --sign-key customer.json \
  --passphrase-env CUSTOMER_PASS
consentctl receipt verify my-receipt.json --genesis .localnet/genesis.json
consentctl receipt verify grant-receipt.json --genesis .localnet/genesis.json
consentctl receipt verify withdraw-receipt.json --genesis .localnet/genesis.json --json
# A changed header is caught (the state digest's first hex digit moved to its end).
sed -E '/"state_digest"/ s/"([0-9a-f])([0-9a-f]{63})"/"\2\1"/' fetched-receipt.json >tampered.json
cmp -s fetched-receipt.json tampered.json && fail "could not tamper with the receipt"
if consentctl receipt verify tampered.json --genesis .localnet/genesis.json; then
  fail "a tampered receipt verified"
fi

# 7. Audit export.
consentctl audit export --from 1 --format ndjson --out audit.ndjson "${auditor[@]}"
consentctl audit export --from 1 --format csv --out audit.csv "${auditor[@]}"
[ -s audit.ndjson ] && [ -s audit.csv ] || fail "empty audit export"
grep -q "$CONSENT" audit.ndjson || fail "the grant is not in the audit export"

# 9. Transfer a consent to another insurer: proposed by both, approved by the regulator
# (local-4 requires it), completed once effective_at has passed.
consentctl tx consent.grant --controller insurer-a --subject "key:$CUSTOMER" \
  --purposes ClaimsHandling --categories Contact --notice "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:$version" \
  --collection-method app --valid-from 2026-01-01T00:00:00Z --valid-until 2030-01-01T00:00:00Z \
  --key customer.json --passphrase-env CUSTOMER_PASS --key .localnet/keys/insurer-a.json \
  --out grant2.json
consentctl submit grant2.json --wait
CONSENT2=$(consentctl tx id grant2.json)
now=$(date +%s%3N)
consentctl tx transfer.propose --seller insurer-a --acquirer insurer-b --consents "$CONSENT2" \
  --effective-at $((now + 15000)) --objection-until $((now + 15000)) \
  --manifest-hash "$(echo 'inventory: Contact 1' | sha256sum | cut -d' ' -f1)" \
  --notice-hash "$(echo 'transfer notice' | sha256sum | cut -d' ' -f1)" \
  --key .localnet/keys/insurer-a.json --key .localnet/keys/insurer-b.json --out propose.json
consentctl submit propose.json --wait
TRANSFER=$(consentctl tx id propose.json)
consentctl tx transfer.approve --transfer-id "$TRANSFER" \
  --approval-ref-hash "$(echo 'approval 2026-17' | sha256sum | cut -d' ' -f1)" \
  --key .localnet/keys/regulator.json --submit --wait
# The seller tells the customer: a batch of delivery records under one Merkle root on the
# ledger; the customer checks their proof offline and against the ledger.
echo "{\"subject\": \"key:$CUSTOMER\", \"delivered_at\": $(date +%s%3N)}" > deliveries.ndjson
consentctl transfer notice-batch --transfer "$TRANSFER" --deliveries deliveries.ndjson \
  --proofs proofs.ndjson > batch.json
root=$(sed -n 's/^  "deliveries_root": "\([0-9a-f]*\)",*/\1/p' batch.json)
until=$(sed -n 's/^  "delivered_until": \([0-9]*\),*/\1/p' batch.json)
[ -n "$root" ] && [ -n "$until" ] || fail "notice-batch printed no root: $(cat batch.json)"
consentctl tx transfer.notify --transfer-id "$TRANSFER" --deliveries-root "$root" --deliveries 1 \
  --delivered-until "$until" --key .localnet/keys/insurer-a.json --submit --wait
head -n 1 proofs.ndjson > my-notice.json
consentctl transfer verify-notice my-notice.json --offline
consentctl transfer verify-notice my-notice.json --sign-key customer.json --passphrase-env CUSTOMER_PASS \
  --json | grep -q '"checked_on_ledger": true' || fail "the notice proof is not on the ledger"
# Completion is refused (transfer_not_yet_effective) until a block's time reaches effective_at.
completed=no
for _ in $(seq 1 80); do
  if consentctl tx transfer.complete --transfer-id "$TRANSFER" --key .localnet/keys/insurer-b.json \
    --submit --wait 2>complete.err; then
    completed=yes
    break
  fi
  grep -q transfer_not_yet_effective complete.err || fail "transfer.complete: $(cat complete.err)"
  sleep 0.5
done
[ "$completed" = yes ] || fail "the transfer did not complete"
consentctl consent show "$CONSENT2" --token-file .localnet/tokens.json --as insurer-b --json |
  grep -q '"insurer-b"' || fail "the transferred consent is not insurer-b's"
# The seller attests its deletion: Financial records kept for a statutory period, backups purged
# within 30 days; the regulator reads the dossier.
consentctl tx transfer.attest --transfer-id "$TRANSFER" \
  --deleted-hash "$(echo 'deletion report' | sha256sum | cut -d' ' -f1)" \
  --retained-categories Financial --retained-until 2031-01-01T00:00:00Z \
  --retention-basis statutory_retention --backups scheduled \
  --backups-purge-by $(($(date +%s%3N) + 30 * 86400000)) \
  --key .localnet/keys/insurer-a.json --submit --wait
consentctl transfer dossier "$TRANSFER" --format csv --token-file .localnet/tokens.json --as regulator \
  > dossier.csv
for step in propose approve notify complete attest; do
  grep -q "^step,$step," dossier.csv || fail "the dossier lacks the $step step"
done
consentctl transfer list --status completed --token-file .localnet/tokens.json --as regulator |
  grep -q "$TRANSFER" || fail "the completed transfer is not listed"

echo "walkthrough: all steps passed"
