// The rules of DESIGN.md section 6, in the order the engine asks them:
//   NotJudgedRule  responses, inbound queries, mDNS/LLMNR, a second sighting of a message
//   LocalRule      a message to this machine (loopback) cannot escape: clean
//   PlaintextRule  udp53/tcp53 off the safe path: Leak-B when the name must go through the
//                  proxy, else Leak-A; a direct name may take any path
//   EncryptedRule  DoT/DoQ (DoH once classified) off the approved egress: Leak-C
#pragma once

#include <array>
#include <cstdint>

#include "dnsleak/policy/policy.h"
#include "dnsleak/rules/rule.h"

namespace wtfn::dnsleak {

class NotJudgedRule final : public Rule {
public:
    bool judge(const ClassifiedEvent& e, Judgement& out) override;

private:
    bool is_repeat_on_other_interface(const ClassifiedEvent& e);

    // A message seen on two interfaces (a bridge and its port, a VLAN and its parent, a
    // packet forwarded from a container's veth to the uplink) is one message: the first
    // sighting is judged, later ones within a second on another interface are not.
    struct Sighting {
        std::uint64_t hash = 0;
        std::int64_t ts_ns = 0;
        std::uint32_t ifindex = 0;
    };

    std::array<Sighting, 64> recent_{};
    std::size_t next_ = 0;
};

class LocalRule final : public Rule {
public:
    bool judge(const ClassifiedEvent& e, Judgement& out) override;
};

class PlaintextRule final : public Rule {
public:
    explicit PlaintextRule(const Policy& policy) : policy_(policy) {}

    bool judge(const ClassifiedEvent& e, Judgement& out) override;

private:
    const Policy& policy_;
};

class EncryptedRule final : public Rule {
public:
    explicit EncryptedRule(const Policy& policy) : policy_(policy) {}

    bool judge(const ClassifiedEvent& e, Judgement& out) override;

private:
    const Policy& policy_;
};

// The domain lists' say on a name: proxy_required is asked first, so a name on both lists
// must go through the proxy (the cautious reading).
NameMatch match_name(const Policy& policy, std::string_view qname, const DomainPattern*& rule);

} // namespace wtfn::dnsleak
