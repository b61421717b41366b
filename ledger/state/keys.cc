#include "ledger/state/keys.h"

#include <algorithm>

namespace consentd::ledger::keys {
namespace {

std::string Prefixed(char prefix, std::string_view rest) {
  std::string k(1, prefix);
  k.append(rest);
  return k;
}

std::string WithId(char prefix, std::string_view name) {
  std::string k(1, prefix);
  k.append(name);
  k.push_back('\0');
  return k;
}

}  // namespace

std::string BigEndian(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

std::uint64_t ReadBigEndian(std::string_view bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(bytes[i]);
  return v;
}

std::string_view Raw(const Hash256& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string Meta(std::string_view name) { return Prefixed(kMeta, name); }
std::string Block(std::uint64_t height) { return Prefixed(kBlock, BigEndian(height)); }
std::string BlockHash(const Hash256& hash) { return Prefixed(kBlockHash, Raw(hash)); }
std::string Tx(const Hash256& id) { return Prefixed(kTx, Raw(id)); }
std::string Member(std::string_view id) { return Prefixed(kMember, id); }
std::string MemberKey(const FixedBytes<32>& key) { return Prefixed(kMemberKey, Raw(key)); }
std::string ValidatorKey(const FixedBytes<32>& key) { return Prefixed(kValidatorKey, Raw(key)); }
std::string Validators(std::uint64_t from_height) {
  return Prefixed(kValidators, BigEndian(from_height));
}
std::string Notice(std::string_view controller, std::string_view notice_id) {
  return WithId(kNotice, controller) + std::string(notice_id);
}
std::string Consent(const Hash256& id) { return Prefixed(kConsent, Raw(id)); }
std::string SubjectConsentPrefix(const Subject& subject) {
  return Prefixed(kSubjectConsent, subject.Binary());
}
std::string SubjectConsent(const Subject& subject, const Hash256& consent_id) {
  return SubjectConsentPrefix(subject) + std::string(Raw(consent_id));
}
std::string ControllerConsentPrefix(std::string_view controller) {
  return WithId(kControllerConsent, controller);
}
std::string ControllerConsent(std::string_view controller, const Hash256& consent_id) {
  return ControllerConsentPrefix(controller) + std::string(Raw(consent_id));
}
std::string Agreement(const Hash256& id) { return Prefixed(kAgreement, Raw(id)); }
std::string PartyAgreementPrefix(std::string_view party) { return WithId(kPartyAgreement, party); }
std::string PartyAgreement(std::string_view party, const Hash256& id) {
  return PartyAgreementPrefix(party) + std::string(Raw(id));
}
std::string Transfer(const Hash256& id) { return Prefixed(kTransfer, Raw(id)); }
std::string TransferConsent(const Hash256& transfer_id, const Hash256& consent_id) {
  return Prefixed(kTransferConsent, Raw(transfer_id)) + std::string(Raw(consent_id));
}
std::string TransferDutyPrefix(const Hash256& transfer_id) {
  return Prefixed(kTransferDuty, Raw(transfer_id));
}
std::string TransferDuty(const Hash256& transfer_id, const Hash256& rights_id) {
  return TransferDutyPrefix(transfer_id) + std::string(Raw(rights_id));
}

std::string TransferObjection(const Hash256& transfer_id, const Subject& subject) {
  return Prefixed(kTransferObjection, Raw(transfer_id)) + subject.Binary();
}
std::string Sharing(const Hash256& id) { return Prefixed(kSharing, Raw(id)); }
std::string SharingBySubjectPrefix(const Subject& subject) {
  return Prefixed(kSharingBySubject, subject.Binary());
}
std::string SharingBySubject(const Subject& subject, std::int64_t time, const Hash256& id) {
  return SharingBySubjectPrefix(subject) + BigEndian(static_cast<std::uint64_t>(time)) +
         std::string(Raw(id));
}
std::string SharingBySenderPrefix(std::string_view sender) {
  return WithId(kSharingBySender, sender);
}
std::string SharingBySender(std::string_view sender, std::int64_t time, const Hash256& id) {
  return SharingBySenderPrefix(sender) + BigEndian(static_cast<std::uint64_t>(time)) +
         std::string(Raw(id));
}
std::string SharingByAgreementPrefix(const Hash256& agreement) {
  return Prefixed(kSharingByAgreement, Raw(agreement));
}
std::string SharingByAgreement(const Hash256& agreement, std::int64_t time, const Hash256& id) {
  return SharingByAgreementPrefix(agreement) + BigEndian(static_cast<std::uint64_t>(time)) +
         std::string(Raw(id));
}
std::string Rights(const Hash256& id) { return Prefixed(kRights, Raw(id)); }
std::string RightsOpen(std::int64_t deadline, const Hash256& id) {
  return Prefixed(kRightsOpen, BigEndian(static_cast<std::uint64_t>(deadline))) +
         std::string(Raw(id));
}
std::string RightsBySubjectPrefix(const Subject& subject) {
  return Prefixed(kRightsBySubject, subject.Binary());
}
std::string RightsBySubject(const Subject& subject, const Hash256& id) {
  return RightsBySubjectPrefix(subject) + std::string(Raw(id));
}
std::string Entrustment(const Hash256& id) { return Prefixed(kEntrustment, Raw(id)); }
std::string AssessmentPrefix(std::string_view controller) {
  return WithId(kAssessment, controller);
}
std::string Assessment(std::string_view controller, const Hash256& id) {
  return AssessmentPrefix(controller) + std::string(Raw(id));
}

std::string Incident(std::int64_t reported_at, const Hash256& id) {
  return Prefixed(kIncident, BigEndian(static_cast<std::uint64_t>(reported_at))) +
         std::string(Raw(id));
}

Hash256 TrailingId(std::string_view key) {
  Hash256 id{};
  if (key.size() >= 32) std::copy(key.end() - 32, key.end(), id.begin());
  return id;
}

}  // namespace consentd::ledger::keys
