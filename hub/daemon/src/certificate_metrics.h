#pragma once
// lienthong_certificate_expiry_timestamp_seconds: when each certificate the hub holds stops
// being valid (deploy/prometheus alerts 30 days ahead).

#include "hub/ops/exposition.h"

#include "services.h"

namespace hub {

/// One sample per certificate, labelled by kind (server: the TLS chain both listeners
/// present; receipt_signer; client_ca and operator_ca: what client certificates chain to;
/// trust_anchor: the document-signature anchors directory), subject and sha256. The files are
/// read at each scrape, so a renewed certificate shows once it is on disk; one that cannot be
/// read is left out (start-up already refused a bad one).
void render_certificate_expiry(ops::Exposition& out, const Services& services);

}  // namespace hub
