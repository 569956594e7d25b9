// examples/cpp/mtls/client.cc - a Boost.Asio HTTPS client doing mutual TLS with
// its private key held by parsecd.
//
// Nothing here is Parsec-specific: the key is given as a *file*, a key
// reference file written by `parsec-cli create-key-reference`, and OpenSSL,
// configured with the Parsec provider through OPENSSL_CONF, loads it and signs
// the handshake in the daemon. Single-threaded, synchronous.
//
//   OPENSSL_CONF=parsec-openssl.cnf ./parsec-mtls-client 127.0.0.1 8443 client.crt client.ref ca.crt
// prints the server's answer; exits 1 on any failure.
// <utility> first: Boost 1.74's awaitable.hpp uses std::exchange without it
// (a C++20 build with GCC 12 fails otherwise).
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: parsec-mtls-client HOST PORT CERT KEY_FILE CA\n";
    return 2;
  }
  const std::string host = argv[1], port = argv[2];
  try {
    asio::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
    ctx.use_certificate_chain_file(argv[3]);
    ctx.use_private_key_file(argv[4], ssl::context::pem);  // the reference file
    ctx.load_verify_file(argv[5]);
    ctx.set_verify_mode(ssl::verify_peer);

    ssl::stream<asio::ip::tcp::socket> stream(io, ctx);
    stream.set_verify_callback(ssl::host_name_verification(host));
    asio::connect(stream.next_layer(), asio::ip::tcp::resolver(io).resolve(host, port));
    stream.handshake(ssl::stream_base::client);

    const std::string request = "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
    asio::write(stream, asio::buffer(request));
    std::string response;
    boost::system::error_code ec;
    char buf[1024];
    for (;;) {
      const size_t n = stream.read_some(asio::buffer(buf), ec);
      response.append(buf, n);
      if (ec) {
        break;
      }
    }
    // HTTP/1.0: the server closes after the body; a TLS peer may skip close_notify.
    if (ec != asio::error::eof && ec != ssl::error::stream_truncated) {
      throw boost::system::system_error(ec);
    }
    const size_t body = response.find("\r\n\r\n");
    if (response.rfind("HTTP/1.0 200", 0) != 0 || body == std::string::npos) {
      std::cerr << "unexpected response: " << response << "\n";
      return 1;
    }
    std::cout << response.substr(body + 4);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "parsec-mtls-client: " << e.what() << "\n";
    return 1;
  }
}
