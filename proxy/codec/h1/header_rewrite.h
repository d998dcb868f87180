// Builds the head sent upstream from the client's, and the head sent back to
// the client from the backend's: hop-by-hop fields dropped, forwarding
// fields added, everything else passed on in order and case.
#pragma once

#include <string>
#include <string_view>

#include "proxy/codec/h1/message_head.h"
#include "proxy/http/field_edits.h"

namespace sluice {

inline const FieldEdits no_field_edits{};

struct ForwardFacts {
  std::string_view client_ip;   // $remote_addr: the peer, or the real-IP rules' answer
  std::string_view proto;       // "http" or "https"
  std::string_view port;        // the listener's port
  std::string_view request_id;  // generated when the client sent none
  std::string_view target;      // origin-form path to send (absolute-form stripped)
  std::string_view authority;   // an absolute-form target's, which replaces Host (RFC 9112 3.2.2)
  bool generated_request_id = false;
  bool upgrade = false;         // keep Upgrade and send Connection: upgrade
  bool underscores = false;     // keep fields whose names have '_'
  // X-Forwarded-For: true, the client's own fields then `peer_ip` (sluice
  // without a ConfigMap; ingress-nginx's compute-full-forwarded-for); false,
  // `client_ip` alone (ingress-nginx's default, $remote_addr).
  bool forward_chain = true;
  std::string_view peer_ip;     // the connection's peer ($realip_remote_addr); "" means client_ip
};

// `edits` (the route's request edits) apply to the fields copied from the
// client, Host included (upstream-vhost); the forwarding fields are the
// proxy's own, and framing and hop-by-hop fields are never edited.
void build_upstream_head(std::string& out, const MessageHead& head, const char* base,
                         const ForwardFacts& facts, const FieldEdits& edits = no_field_edits);

struct ResponseFacts {
  bool close = false;        // send Connection: close
  bool keep_alive_1_0 = false;  // an HTTP/1.0 client that asked for keep-alive
  bool upgrade = false;      // a 101: keep Upgrade, send Connection: upgrade
};

// `edits` (HSTS, the route's response edits) never touch the framing
// fields or Connection, which this function alone decides.
void build_downstream_head(std::string& out, const MessageHead& head, const char* base,
                           std::string_view reason, const ResponseFacts& facts, const FieldEdits& edits = no_field_edits);

}  // namespace sluice
