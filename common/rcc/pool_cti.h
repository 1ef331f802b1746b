#pragma once
// The gateway's CTI side on a real cti::NodePool (rcc-gatewayd; tests and the fuzz target use
// their own CtiSide).

#include "cti/node_pool.h"
#include "rcc/gateway.h"

namespace rcc::gateway {

class PoolCti : public CtiSide {
 public:
  explicit PoolCti(cti::NodePool& pool) : pool_(pool) {}
  Result<std::size_t> place() override { return pool_.place(); }
  bool up(std::size_t node) const override { return pool_.state(node) == cti::NodeState::up; }
  void request(std::size_t node, csta::Body body, Reply reply) override {
    pool_.request(node, std::move(body), std::move(reply));
  }
  void request_for_sign_in(std::size_t node, csta::Body body, Reply reply) override {
    pool_.request(node, std::move(body), std::move(reply), cti::NodePool::Lane::later);
  }
  std::size_t backlog(std::size_t node) const override { return pool_.queued(node); }
  std::string name(std::size_t node) const override { return pool_.address(node).name(); }

 private:
  cti::NodePool& pool_;
};

}  // namespace rcc::gateway
