# Turns the operator console's files into a C++ source with their bytes, so the gamehost
# binary serves them with no file beside it (host/CMakeLists.txt runs this at build time).
#   cmake -DDIR=host/admin/console -DFILES=index.html,console.js -DOUT=console_assets.cpp -P embed.cmake
# Each file gets its Content-Type from its extension; an unknown extension stops the build.
if(NOT DIR OR NOT FILES OR NOT OUT)
  message(FATAL_ERROR "embed.cmake: DIR, FILES and OUT are required")
endif()
string(REPLACE "," ";" files "${FILES}")

string(REPEAT "0x..," 32 line_of_32)  # CMake's regular expressions have no {32}
set(data "")
set(table "")
set(index 0)
foreach(name IN LISTS files)
  if(name MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(name MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(name MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(name MATCHES "\\.svg$")
    set(type "image/svg+xml")
  else()
    message(FATAL_ERROR "embed.cmake: no Content-Type for ${name}")
  endif()
  file(READ "${DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  # 32 bytes a line, each byte as 0xNN; a final 0 keeps an empty file's array legal.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(${line_of_32})" "\\1\n    " bytes "${bytes}")
  string(APPEND data "// ${name}\nconst unsigned char file_${index}[] = {\n    ${bytes}0x00};\n")
  string(APPEND table "    {\"${name}\", \"${type}\",\n     {reinterpret_cast<const char*>(file_${index}), ${size}}},\n")
  math(EXPR index "${index} + 1")
endforeach()

set(text "// Generated at build time by host/admin/console/embed.cmake from host/admin/console/.
// Do not edit: edit the files there.
#include \"admin/console.hpp\"

namespace gamehost::admin::console {
namespace {
${data}}  // namespace

const Asset kAssets[] = {
${table}};
const std::size_t kAssetCount = ${index};

}  // namespace gamehost::admin::console
")
file(WRITE "${OUT}" "${text}")
