#pragma once

// The key layout of the ledger's store. One byte of prefix says what a key holds; ids follow in
// binary (32-byte hashes, 33-byte subjects, big-endian integers so keys sort by number) and
// identifiers are terminated by '\0' (identifiers never contain it). docs/LEDGER.md has the
// table; changing it is a storage format change.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "ledger/subject.h"

namespace consentd::ledger::keys {

// Chain: written at commit, outside the state digest.
inline constexpr char kMeta = 'm';       // m <name>                       -> JSON
inline constexpr char kBlock = 'b';      // b <height:8>                   -> block record
inline constexpr char kBlockHash = 'h';  // h <block hash:32>              -> height:8
// State: written by transactions, covered by the state digest.
inline constexpr char kTx = 'x';      // x <tx id:32>                   -> height:8 index:4 tx JSON
inline constexpr char kMember = 'M';  // M <member>                     -> member record
inline constexpr char kMemberKey = 'K';     // K <key:32>                     -> member id
inline constexpr char kValidatorKey = 'W';  // W <key:32>                   -> member id
inline constexpr char kValidators = 'V';    // V <from height:8>              -> validator key list
inline constexpr char kNotice = 'N';        // N <controller>\0<notice id>    -> notice record
inline constexpr char kConsent = 'C';       // C <consent id:32>              -> consent record
inline constexpr char kSubjectConsent = 'S';      // S <subject:33><consent id:32>
inline constexpr char kControllerConsent = 'P';   // P <controller>\0<consent id:32>
inline constexpr char kAgreement = 'A';           // A <agreement id:32>     -> agreement record
inline constexpr char kPartyAgreement = 'a';      // a <party>\0<agreement id:32>
inline constexpr char kTransfer = 'T';            // T <transfer id:32>      -> transfer record
inline constexpr char kTransferConsent = 't';     // t <transfer id:32><consent id:32>
inline constexpr char kTransferObjection = 'o';   // o <transfer id:32><subject:33>
inline constexpr char kTransferDuty = 'd';        // d <transfer id:32><rights id:32>
inline constexpr char kSharing = 'E';             // E <sharing id:32>       -> sharing record
inline constexpr char kSharingBySubject = 'e';    // e <subject:33><time:8><id:32>
inline constexpr char kSharingBySender = 'f';     // f <sender>\0<time:8><id:32>
inline constexpr char kSharingByAgreement = 'g';  // g <agreement:32><time:8><id:32>
inline constexpr char kRights = 'R';              // R <request id:32>       -> rights record
inline constexpr char kRightsOpen = 'r';          // r <deadline:8><request id:32>  (open only)
inline constexpr char kRightsBySubject = 'u';     // u <subject:33><request id:32>
inline constexpr char kIncident = 'I';            // I <reported at:8><incident id:32> -> record
inline constexpr char kEntrustment = 'U';         // U <entrustment id:32>   -> entrustment record
inline constexpr char kAssessment = 'Y';          // Y <controller>\0<assessment id:32> -> record

std::string BigEndian(std::uint64_t v);
std::uint64_t ReadBigEndian(std::string_view bytes);  // REQUIRES: size() >= 8
std::string_view Raw(const Hash256& h);

std::string Meta(std::string_view name);
std::string Block(std::uint64_t height);
std::string BlockHash(const Hash256& hash);
std::string Tx(const Hash256& id);
std::string Member(std::string_view id);
std::string MemberKey(const FixedBytes<32>& key);
std::string ValidatorKey(const FixedBytes<32>& key);
std::string Validators(std::uint64_t from_height);
std::string Notice(std::string_view controller, std::string_view notice_id);
std::string Consent(const Hash256& id);
std::string SubjectConsentPrefix(const Subject& subject);
std::string SubjectConsent(const Subject& subject, const Hash256& consent_id);
std::string ControllerConsentPrefix(std::string_view controller);
std::string ControllerConsent(std::string_view controller, const Hash256& consent_id);
std::string Agreement(const Hash256& id);
std::string PartyAgreementPrefix(std::string_view party);
std::string PartyAgreement(std::string_view party, const Hash256& id);
std::string Transfer(const Hash256& id);
std::string TransferConsent(const Hash256& transfer_id, const Hash256& consent_id);
std::string TransferObjection(const Hash256& transfer_id, const Subject& subject);
// The rights records a completed transfer opened (objectors' erasures) or moved to the acquirer.
std::string TransferDutyPrefix(const Hash256& transfer_id);
std::string TransferDuty(const Hash256& transfer_id, const Hash256& rights_id);
std::string Sharing(const Hash256& id);
std::string SharingBySubjectPrefix(const Subject& subject);
std::string SharingBySubject(const Subject& subject, std::int64_t time, const Hash256& id);
std::string SharingBySenderPrefix(std::string_view sender);
std::string SharingBySender(std::string_view sender, std::int64_t time, const Hash256& id);
std::string SharingByAgreementPrefix(const Hash256& agreement);
std::string SharingByAgreement(const Hash256& agreement, std::int64_t time, const Hash256& id);
std::string Rights(const Hash256& id);
std::string RightsOpen(std::int64_t deadline, const Hash256& id);
std::string RightsBySubjectPrefix(const Subject& subject);
std::string RightsBySubject(const Subject& subject, const Hash256& id);
std::string Incident(std::int64_t reported_at, const Hash256& id);
std::string Entrustment(const Hash256& id);
std::string AssessmentPrefix(std::string_view controller);
std::string Assessment(std::string_view controller, const Hash256& id);

// The trailing 32-byte id of an index key.
Hash256 TrailingId(std::string_view key);

}  // namespace consentd::ledger::keys
