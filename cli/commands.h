#pragma once

// The consentctl commands, one function each; main.cc dispatches. Each returns the exit code
// (cli/args.h) and prints its own --help.

#include "cli/args.h"

namespace consentd::cli {

int KeyCommand(const Args& a);      // key new | show | export-public
int TxCommand(const Args& a);       // tx <type> | sign | show | submit | get
int SubmitCommand(const Args& a);   // submit FILE
int ReceiptCommand(const Args& a);  // receipt get | verify
int StatusCommand(const Args& a);
int ConsentCommand(const Args& a);   // consent show ID
int ConsentsCommand(const Args& a);  // consents SUBJECT
int CheckCommand(const Args& a);
int HistoryCommand(const Args& a);
int AgreementsCommand(const Args& a);
int AuditCommand(const Args& a);      // audit export
int ReportCommand(const Args& a);     // report compliance
int TransferCommand(const Args& a);   // transfer list | dossier | notice-batch | verify-notice
int AccessLogCommand(const Args& a);  // access-log list | export | verify
int TokenCommand(const Args& a);      // token issue | revoke | list (a node home's tokens file)

}  // namespace consentd::cli
