// Dou Dizhu rules engine (Google Benchmark): what a bot or the server's auto-play pays per
// decision. smallest_beating answers "what is the cheapest play that beats the last one"
// on a landlord's 20-card hand; legal_plays lists every lead of a 17-card hand.
#include <benchmark/benchmark.h>

#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "rules/deck.hpp"
#include "rules/hand_search.hpp"

namespace {

using namespace gh_card;

std::vector<std::pair<CardSet, Combination>> beating_cases() {
  std::mt19937 rng(5);
  SeededShuffler shuffler(5);
  std::vector<std::pair<CardSet, Combination>> cases;
  for (int i = 0; i < 1000; ++i) {
    const Deal deal = deal_cards(shuffler);
    const auto leads = legal_plays(deal.hands[1], std::nullopt);
    cases.emplace_back(deal.hands[0] | deal.hole, leads[rng() % leads.size()].combo);
  }
  return cases;
}

void BM_SmallestBeating(benchmark::State& state) {
  const auto cases = beating_cases();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [hand, last] = cases[i++ % cases.size()];
    benchmark::DoNotOptimize(smallest_beating(hand, last));
  }
}
BENCHMARK(BM_SmallestBeating);

void BM_LegalLeads(benchmark::State& state) {
  SeededShuffler shuffler(7);
  std::vector<CardSet> hands;
  for (int i = 0; i < 100; ++i) hands.push_back(deal_cards(shuffler).hands[0]);
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(legal_plays(hands[i++ % hands.size()], std::nullopt));
}
BENCHMARK(BM_LegalLeads);

}  // namespace

BENCHMARK_MAIN();
