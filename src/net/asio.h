// One place that pulls in standalone Asio with the options edgefront uses.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

namespace edgefront::net {

using asio::awaitable;
using asio::ip::tcp;
using Executor = asio::any_io_executor;

// Await an Asio operation without exceptions: errors land in `ec`.
inline auto use_ec(std::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

}  // namespace edgefront::net
