// Internal header: reads one named section of an ELF file without loading it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace gamehost::plugins {

class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The bytes of section `name` of the 64-bit little-endian ELF file at `path`, or nullopt
// when it has no such section. Throws ElfError when the file is not such an ELF file.
std::optional<std::string> read_elf_section(const std::string& path, const std::string& name);

}  // namespace gamehost::plugins
