// Prints a run's result for people (aligned text) or for scripts (one flat JSON line whose
// values are all numbers or strings, so even sed can pick a field out).
#pragma once

#include <ostream>

#include "load_run.hpp"
#include "options.hpp"

namespace gamehost::loadgen {

void print_text(std::ostream& out, const Options& options, const RunResult& result);
void print_json(std::ostream& out, const Options& options, const RunResult& result);

}  // namespace gamehost::loadgen
