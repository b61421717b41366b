#pragma once

// `consentd backup` and `consentd restore` (docs/OPERATIONS.md, "Backups"; the file format is
// ledger/backup.h).
//
// backup: a consistent backup of a node's ledger store. When the node is running (its store is
// locked), the backup is streamed from its API (GET /v1/admin/backup, one snapshot, no stop
// needed) with an auditor or regulator token; when it is stopped, the store is read directly.
// Either way the file is checked (structure and checksum) before it takes its final name.
//
// restore: writes a backup into a home that has no ledger yet, checks the checksum, the chain
// (the home's genesis.json) and the head's commit certificate, and only then moves the store
// into place. The node, started on that home, block-syncs the rest from its peers.
//
// Both print the manifest as JSON on success. Exit codes: 0 done, 1 failed (the message names
// the reason code), 2 usage.

namespace consentd::node {

int BackupMain(int argc, char** argv);   // argv[0] is "backup"
int RestoreMain(int argc, char** argv);  // argv[0] is "restore"

}  // namespace consentd::node
