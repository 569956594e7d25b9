#include "spiffe/jwt.h"

#include <cctype>
#include <cstdlib>

#include "parsec/interface/base64url.h"

namespace parsec::spiffe {

namespace {

// A small reader for the top-level members of a JSON object: strings, numbers
// and arrays of strings are kept, anything else is skipped (checked for shape
// only). Enough for JOSE headers and JWT claims, which are flat.
class JsonObjectReader {
 public:
  explicit JsonObjectReader(const std::string& s) : s_(s) {}

  struct Member {
    std::string name;
    enum Kind { String, Number, StringArray, Other } kind = Other;
    std::string text;                 // String: the value; Number: its literal
    std::vector<std::string> values;  // StringArray
  };

  bool read(std::vector<Member>& out) {
    ws();
    if (!eat('{')) {
      return false;
    }
    ws();
    if (eat('}')) {
      return end();
    }
    for (;;) {
      Member m;
      ws();
      if (!string(m.name)) {
        return false;
      }
      ws();
      if (!eat(':')) {
        return false;
      }
      ws();
      if (!value(m, 0)) {
        return false;
      }
      out.push_back(std::move(m));
      ws();
      if (eat(',')) {
        continue;
      }
      if (eat('}')) {
        return end();
      }
      return false;
    }
  }

 private:
  bool end() {
    ws();
    return i_ == s_.size();
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(i_, n, word) != 0) {
      return false;
    }
    i_ += n;
    return true;
  }
  // string reads a JSON string; \u escapes outside ASCII are kept as written
  // (the members we read are ASCII: algorithm names, SPIFFE IDs).
  bool string(std::string& out) {
    if (!eat('"')) {
      return false;
    }
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') {
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return false;
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (i_ >= s_.size()) {
        return false;
      }
      char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          if (i_ + 4 > s_.size()) {
            return false;
          }
          for (size_t k = 0; k < 4; ++k) {
            if (!std::isxdigit(static_cast<unsigned char>(s_[i_ + k]))) {
              return false;
            }
          }
          unsigned long cp = std::strtoul(s_.substr(i_, 4).c_str(), nullptr, 16);
          if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else {
            out += "\\u" + s_.substr(i_, 4);
          }
          i_ += 4;
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool number(std::string& out) {
    size_t start = i_;
    eat('-');
    size_t digits = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' || s_[i_] == 'e' ||
                              s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-')) {
      ++i_;
    }
    if (i_ == digits) {
      return false;
    }
    out = s_.substr(start, i_ - start);
    return true;
  }
  bool value(Member& m, int depth) {
    if (depth > 16 || i_ >= s_.size()) {
      return false;
    }
    char c = s_[i_];
    if (c == '"') {
      m.kind = Member::String;
      return string(m.text);
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      m.kind = Member::Number;
      return number(m.text);
    }
    if (c == '[') {
      ++i_;
      m.kind = Member::StringArray;
      ws();
      if (eat(']')) {
        return true;
      }
      for (;;) {
        ws();
        Member e;
        if (!value(e, depth + 1)) {
          return false;
        }
        if (e.kind == Member::String) {
          m.values.push_back(e.text);
        } else {
          m.kind = Member::Other;
        }
        ws();
        if (eat(',')) {
          continue;
        }
        return eat(']');
      }
    }
    if (c == '{') {
      ++i_;
      m.kind = Member::Other;
      ws();
      if (eat('}')) {
        return true;
      }
      for (;;) {
        ws();
        std::string name;
        Member e;
        if (!string(name)) {
          return false;
        }
        ws();
        if (!eat(':')) {
          return false;
        }
        ws();
        if (!value(e, depth + 1)) {
          return false;
        }
        ws();
        if (eat(',')) {
          continue;
        }
        return eat('}');
      }
    }
    m.kind = Member::Other;
    return literal("true") || literal("false") || literal("null");
  }

  const std::string& s_;
  size_t i_ = 0;
};

std::optional<int64_t> integer_seconds(const std::string& literal) {
  // NumericDate may carry a fraction; whole seconds are enough here.
  char* end = nullptr;
  double v = std::strtod(literal.c_str(), &end);
  if (end == literal.c_str() || *end != '\0' || v < 0 || v > 1e13) {
    return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

}  // namespace

std::optional<JwtView> read_jwt_svid(const std::string& token, std::string& why) {
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string::npos ? d1 : token.find('.', d1 + 1);
  if (d1 == std::string::npos || d2 == std::string::npos || token.find('.', d2 + 1) != std::string::npos) {
    why = "the token is not a JWS in compact serialization (three dot-separated parts)";
    return std::nullopt;
  }
  if (d2 + 1 == token.size()) {
    why = "the token has no signature";
    return std::nullopt;
  }
  if (!base64url_decode(token.substr(d2 + 1))) {
    why = "the token's signature is not base64url";
    return std::nullopt;
  }
  auto header = base64url_decode(token.substr(0, d1));
  auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!header || !payload) {
    why = "the token's header or payload is not base64url";
    return std::nullopt;
  }
  std::vector<JsonObjectReader::Member> hm, pm;
  if (!JsonObjectReader(*header).read(hm)) {
    why = "the token's header is not a JSON object";
    return std::nullopt;
  }
  if (!JsonObjectReader(*payload).read(pm)) {
    why = "the token's payload is not a JSON object";
    return std::nullopt;
  }
  JwtView v;
  for (const auto& m : hm) {
    if (m.name == "alg" && m.kind == JsonObjectReader::Member::String) {
      v.alg = m.text;
    }
  }
  if (v.alg.empty()) {
    why = "the token's header has no \"alg\"";
    return std::nullopt;
  }
  if (v.alg == "none" || v.alg == "None" || v.alg == "NONE") {
    why = "the token is unsigned (\"alg\": \"none\")";
    return std::nullopt;
  }
  for (const auto& m : pm) {
    if (m.name == "sub" && m.kind == JsonObjectReader::Member::String) {
      v.sub = m.text;
    } else if (m.name == "aud") {
      if (m.kind == JsonObjectReader::Member::String) {
        v.aud.push_back(m.text);
      } else if (m.kind == JsonObjectReader::Member::StringArray) {
        v.aud = m.values;
      }
    } else if (m.name == "exp" && m.kind == JsonObjectReader::Member::Number) {
      v.exp = integer_seconds(m.text);
    } else if (m.name == "iat" && m.kind == JsonObjectReader::Member::Number) {
      v.iat = integer_seconds(m.text);
    }
  }
  if (v.sub.rfind("spiffe://", 0) != 0) {
    why = "the token's \"sub\" is not a SPIFFE ID";
    return std::nullopt;
  }
  return v;
}

}  // namespace parsec::spiffe
