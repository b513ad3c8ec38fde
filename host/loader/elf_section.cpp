#include "loader/elf_section.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace gamehost::plugins {
namespace {

void read_at(std::ifstream& in, std::uint64_t offset, void* out, std::size_t n,
             const std::string& path) {
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(static_cast<char*>(out), static_cast<std::streamsize>(n));
  if (!in) throw ElfError(path + ": truncated ELF file");
}

}  // namespace

std::optional<std::string> read_elf_section(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ElfError(path + ": cannot open");
  Elf64_Ehdr eh{};
  read_at(in, 0, &eh, sizeof eh, path);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) throw ElfError(path + ": not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    throw ElfError(path + ": not a 64-bit little-endian ELF file");
  }
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum) {
    throw ElfError(path + ": ELF file without a usable section table");
  }
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  read_at(in, eh.e_shoff, sections.data(), sections.size() * sizeof(Elf64_Shdr), path);

  const auto& names = sections[eh.e_shstrndx];
  if (names.sh_size > (1u << 24)) throw ElfError(path + ": implausible section name table");
  std::string strtab(names.sh_size, '\0');
  read_at(in, names.sh_offset, strtab.data(), strtab.size(), path);

  for (const auto& sh : sections) {
    if (sh.sh_name >= strtab.size() || strtab.c_str() + sh.sh_name != name) continue;
    if (sh.sh_type == SHT_NOBITS) return std::string();
    if (sh.sh_size > (1u << 20)) throw ElfError(path + ": section " + name + " is over 1 MiB");
    std::string bytes(sh.sh_size, '\0');
    read_at(in, sh.sh_offset, bytes.data(), bytes.size(), path);
    return bytes;
  }
  return std::nullopt;
}

}  // namespace gamehost::plugins
