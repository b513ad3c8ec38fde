# gamehost_add_plugin(<name>
#     SOURCES <file>...            the plugin's C++ sources (one of them uses GAMEHOST_PLUGIN)
#     [PROTOS <file.proto>...]     its messages; must say `option optimize_for = LITE_RUNTIME;`
#     [OUTPUT_DIRECTORY <dir>]     where <name>.so goes (default: GAMEHOST_PLUGIN_OUTPUT_DIR)
#     [OUTPUT_NAME <file-stem>])   file name without .so (default: <name>)
#
# Builds <name> as a plugin the host can load, unload and load again in one process:
#   - hidden visibility and a linker version script that exports only the entry symbol,
#     so no STB_GNU_UNIQUE symbol pins the library in memory after dlclose;
#   - protobuf lite, which never registers in libprotobuf's global descriptor pool
#     (a full-runtime .pb.cc aborts the host on the second load of the same .proto);
#   - the SDK headers (gamehost::sdk), nothing of the host.
# Also defines <name>_objects, an object library with the same code, for unit tests that
# link the plugin directly against gamehost/testing.hpp's fake host.
include_guard(GLOBAL)

find_package(Protobuf REQUIRED)

function(gamehost_add_plugin name)
  cmake_parse_arguments(arg "" "OUTPUT_DIRECTORY;OUTPUT_NAME" "SOURCES;PROTOS" ${ARGN})
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "gamehost_add_plugin(${name}): SOURCES is required")
  endif()

  add_library(${name}_objects OBJECT ${arg_SOURCES} ${arg_PROTOS})
  set_target_properties(${name}_objects PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${name}_objects PUBLIC gamehost::sdk protobuf::libprotobuf-lite)
  # GAMEHOST_PLUGIN also writes gamehost_plugin_<name>(), so tests can link several plugins.
  string(REPLACE "-" "_" entry_id ${name})
  target_compile_definitions(${name}_objects PRIVATE GAMEHOST_PLUGIN_ID=${entry_id})
  if(arg_PROTOS)
    set(proto_out ${CMAKE_CURRENT_BINARY_DIR}/${name}_proto)
    file(MAKE_DIRECTORY ${proto_out})
    set(import_dirs)
    foreach(proto IN LISTS arg_PROTOS)
      get_filename_component(dir ${proto} DIRECTORY)
      if(NOT IS_ABSOLUTE "${dir}")
        set(dir ${CMAKE_CURRENT_SOURCE_DIR}/${dir})
      endif()
      list(APPEND import_dirs ${dir})
    endforeach()
    list(REMOVE_DUPLICATES import_dirs)
    protobuf_generate(TARGET ${name}_objects LANGUAGE cpp
      IMPORT_DIRS ${import_dirs} PROTOC_OUT_DIR ${proto_out})
    target_include_directories(${name}_objects PUBLIC ${proto_out})
  endif()

  set(map ${CMAKE_CURRENT_BINARY_DIR}/${name}.map)
  file(WRITE ${map} "{ global: gamehost_plugin_v1; local: *; };\n")
  add_library(${name} MODULE)
  target_link_libraries(${name} PRIVATE ${name}_objects)
  target_link_options(${name} PRIVATE "LINKER:--version-script=${map}" "LINKER:--no-undefined")
  set_target_properties(${name} PROPERTIES PREFIX "" LINK_DEPENDS ${map})
  if(arg_OUTPUT_NAME)
    set_target_properties(${name} PROPERTIES OUTPUT_NAME ${arg_OUTPUT_NAME})
  endif()
  if(arg_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${arg_OUTPUT_DIRECTORY})
  elseif(GAMEHOST_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${GAMEHOST_PLUGIN_OUTPUT_DIR})
  endif()
endfunction()
