#pragma once
// `lienthongctl inbox --format edxml`: the inbox as the hub's XML InboxBatch (issue 9,
// schemas/lienthong-v1.xsd), each item's edXML package listed or saved as it came.

#include "hub/http/client.h"

#include <string>

#include "args.h"

namespace ctl {

/// GETs `target` (the inbox with its max and wait) with Accept: application/xml and handles the
/// items as `inbox` does: one line each (or `--json`), `--save OUTDIR` writes each package
/// decoded to OUTDIR/<deliveryId>.edxml, `--ack` acks what was handled before any failure in one
/// request. Returns the exit code: 0; 2 when the hub refused the request; 1 when an item could
/// not be read or saved, or the answer is not an InboxBatch. Blocks the calling thread.
int inbox_edxml(hub::http::Client& client, const std::string& target, const Args& args);

}  // namespace ctl
