#include "node/http/errors.h"

namespace consentd::node::http {

int HttpStatusFor(Reason reason) {
  const int status = InfoOf(reason).http_status;
  return status != 0 ? status : 500;
}

Json ErrorBody(Reason reason, std::string_view message) {
  return Json{{"error", {{"code", ToString(reason)}, {"message", message}}}};
}

}  // namespace consentd::node::http
