#pragma once
// The inbox's item building and acks, for every wire an agency takes its documents by: the
// hub's own GET /v1/inbox and acks, and the provincial API façade.

#include "hub/http/server.h"
#include "hub/queue/queue.h"
#include "lienthong/v1/api.pb.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "endpoint_deps.h"

namespace hub {

/// One item of `message.recipient`'s inbox as the inbox answers it: the envelope rebuilt
/// (attachments inline while `budget` bytes last, the others by download path) or the
/// status notice. Error: INTERNAL when the ledger has no such item.
boost::asio::awaitable<Result<lienthong::v1::InboxItem>> inbox_item(InboxDeps& deps,
                                                                    const QueueMessage& message,
                                                                    std::int64_t& budget);

/// Acks `ids` of `me`'s inbox in one ledger transaction: all, or none when one of them is not
/// an item of `me`'s (NOT_FOUND naming it). A delivery's first ack records its arrival and the
/// 01 owed to its sender. 204 also for items acked before. `request` must outlive the call.
boost::asio::awaitable<http::Response> acknowledge_items(InboxDeps& deps,
                                                         const http::Request& request,
                                                         const std::string& me,
                                                         std::vector<std::string> ids);

}  // namespace hub
