#include "sip/transport_connection.h"

#include <array>
#include <deque>
#include <optional>
#include <type_traits>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "sip/error.h"
#include "sip/response.h"
#include "sip/transport_tls.h"
#include "util/log.h"

namespace rcc::sip {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

template <class Stream>
class StreamConnection : public Connection {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  StreamConnection(tcp::socket socket, Flow flow, std::shared_ptr<net::ssl::context> tls,
                   bool server, ConnectionHandler& handler, ConnectionOptions options)
      : tls_(std::move(tls)),
        stream_(make_stream(std::move(socket), tls_)),
        timer_(stream_socket().get_executor()),
        server_(server),
        handler_(handler),
        options_(options),
        framer_(options.limits) {
    flow_ = flow;
    secure_ = kTls;
    error_code ec;
    const auto ep = stream_socket().remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void start() override {
    if constexpr (kTls) {
      arm(options_.handshake_timeout);
      stream_.async_handshake(
          server_ ? net::ssl::stream_base::server : net::ssl::stream_base::client,
          [self = shared()](const error_code& ec) { self->on_handshake(ec); });
    } else {
      open_ = true;
      handler_.on_open(*this);
      read();
    }
  }

  void send(std::string bytes) override {
    if (closed_) return;
    queue_.push_back(std::move(bytes));
    // Bytes sent before the TLS handshake is done wait for it (no write may overlap it).
    if (open_ && queue_.size() == 1) write();
  }

  void close() override { finish(make_error_code(std::errc::operation_canceled)); }

 private:
  static Stream make_stream(tcp::socket socket, const std::shared_ptr<net::ssl::context>& tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  tcp::socket& stream_socket() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }
  std::shared_ptr<StreamConnection> shared() {
    return std::static_pointer_cast<StreamConnection>(shared_from_this());
  }

  // Every read and the handshake run under a deadline (the house style).
  void arm(std::chrono::steady_clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared()](const error_code& ec) {
      if (!ec) self->finish(make_error_code(Errc::read_timeout));
    });
  }

  void on_handshake(const error_code& ec) {
    if (ec) {
      util::logger("sip")->warn("flow={} peer={} tls handshake failed: {}", flow_, peer_,
                                ec.message());
      return finish(make_error_code(Errc::tls_failure));
    }
    if constexpr (kTls) {
      peer_subject_ = peer_certificate_subject(stream_.native_handle());
      peer_names_ = peer_certificate_names(stream_.native_handle());
    }
    open_ = true;
    handler_.on_open(*this);
    if (!closed_ && !queue_.empty()) write();
    read();
  }

  void read() {
    if (closed_) return;
    // Between messages the idle deadline; inside one, what is left of message_timeout since it
    // began, so that a peer cannot hold a connection with a request it never finishes.
    if (since_boundary_.empty()) {
      arm(options_.read_timeout);
    } else {
      const auto left =
          message_started_ + options_.message_timeout - std::chrono::steady_clock::now();
      arm(std::max<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(1)));
    }
    stream_.async_read_some(
        net::buffer(buf_),
        [self = shared()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const error_code& ec, std::size_t n) {
    if (closed_) return;
    if (ec) {
      // A clean close by the peer is an ordinary end (the house style).
      const bool eof = ec == net::error::eof || ec == net::ssl::error::stream_truncated;
      return finish(eof ? std::error_code() : std::error_code(ec.value(), std::system_category()));
    }
    std::string_view data(buf_.data(), n);
    while (!data.empty() && !closed_) {
      auto used = framer_.feed(data);
      if (!used) {
        // Answer what can be answered (400, 413, 505, 513...), then close: framing is lost.
        since_boundary_.append(data.data(), data.size());
        if (auto answer = error_response(since_boundary_, used.error().code()))
          send(serialize(*answer));
        util::logger("sip")->warn("flow={} peer={} refused input: {}", flow_, peer_,
                                  used.error().detail());
        return close_after_write(used.error().code());
      }
      if (since_boundary_.empty() && *used > 0) message_started_ = std::chrono::steady_clock::now();
      if (since_boundary_.size() < options_.limits.max_header_bytes)
        since_boundary_.append(data.data(), *used);
      data.remove_prefix(*used);
      if (framer_.ready()) {
        since_boundary_.clear();
        handler_.on_frame(*this, framer_.take());
      }
    }
    read();
  }

  void write() {
    net::async_write(stream_, net::buffer(queue_.front()),
                     [self = shared()](const error_code& ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(const error_code& ec) {
    if (closed_) return;
    if (ec) return finish(std::error_code(ec.value(), std::system_category()));
    queue_.pop_front();
    if (!queue_.empty()) return write();
    if (closing_) finish(*closing_);
  }

  void close_after_write(std::error_code why) {
    if (queue_.empty()) return finish(why);
    closing_ = why;
  }

  void finish(std::error_code why) {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    error_code ignored;
    stream_socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_socket().close(ignored);
    handler_.on_closed(*this, why);
  }

  std::shared_ptr<net::ssl::context> tls_;
  Stream stream_;
  net::steady_timer timer_;
  bool server_;
  ConnectionHandler& handler_;
  ConnectionOptions options_;
  StreamFramer framer_;
  std::array<char, 16 * 1024> buf_{};
  std::string since_boundary_;  // bytes of the message being framed, for error_response()
  std::chrono::steady_clock::time_point message_started_{};
  std::deque<std::string> queue_;
  bool closed_ = false;
  bool open_ = false;  ///< TLS handshake done (always, over TCP)
  std::optional<std::error_code> closing_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(tcp::socket socket, Flow flow,
                                            std::shared_ptr<net::ssl::context> tls, bool server,
                                            ConnectionHandler& handler, ConnectionOptions options) {
  if (tls)
    return std::make_shared<StreamConnection<net::ssl::stream<tcp::socket>>>(
        std::move(socket), flow, std::move(tls), server, handler, options);
  return std::make_shared<StreamConnection<tcp::socket>>(std::move(socket), flow, nullptr, server,
                                                         handler, options);
}

}  // namespace rcc::sip
