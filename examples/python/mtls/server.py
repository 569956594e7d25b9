"""A stdlib-only HTTPS server that requires a client certificate (mutual TLS).

Its own key is an ordinary file: the point of this sample is the *client*,
whose key lives in parsecd. It answers every GET with the subject CN of the
verified client certificate.

    python3 server.py --cert server.crt --key server.key --ca ca.crt --port 8443
Prints "listening on <port>" once it accepts connections.
"""
import argparse
import http.server
import ssl


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        peer = self.connection.getpeercert()
        cn = dict(x[0] for x in peer["subject"])["commonName"]
        body = f"hello {cn}, your key never left parsecd\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--port", type=int, default=8443)
    ap.add_argument("--requests", type=int, default=0, help="exit after this many requests (0: serve forever)")
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no connection
    httpd = http.server.HTTPServer(("127.0.0.1", a.port), Handler)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    print(f"listening on {httpd.server_address[1]}", flush=True)
    if a.requests:
        for _ in range(a.requests):
            httpd.handle_request()
    else:
        httpd.serve_forever()


if __name__ == "__main__":
    main()
