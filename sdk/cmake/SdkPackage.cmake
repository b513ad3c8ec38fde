# The SDK as a CMake package, for plugins built outside this tree:
#   - from the build tree: cmake -DGameHostSDK_DIR=<build>/sdk-package
#   - from an install (the -dev package): find_package(GameHostSDK) under the prefix.
file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/include/gamehost/abi.h _abi_lines
     REGEX "#define GAMEHOST_ABI_(MAJOR|MINOR) ")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1.\\2" GAMEHOST_ABI_VERSION "${_abi_lines}")

set(GAMEHOST_SDK_INCLUDE_SETUP "set(GAMEHOST_SDK_INCLUDE_DIR \"${CMAKE_CURRENT_SOURCE_DIR}/include\")")
configure_file(cmake/GameHostSDKConfig.cmake.in ${CMAKE_BINARY_DIR}/sdk-package/GameHostSDKConfig.cmake @ONLY)
configure_file(cmake/GameHostPlugin.cmake ${CMAKE_BINARY_DIR}/sdk-package/GameHostPlugin.cmake COPYONLY)

include(CMakePackageConfigHelpers)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/sdk-package/GameHostSDKConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)

# Installed layout: <prefix>/include/gamehost, <prefix>/lib/cmake/GameHostSDK.
set(GAMEHOST_SDK_INCLUDE_SETUP
  "get_filename_component(GAMEHOST_SDK_INCLUDE_DIR \"\${CMAKE_CURRENT_LIST_DIR}/../../../include\" ABSOLUTE)")
configure_file(cmake/GameHostSDKConfig.cmake.in ${CMAKE_BINARY_DIR}/sdk-install/GameHostSDKConfig.cmake @ONLY)
install(DIRECTORY include/gamehost DESTINATION include COMPONENT sdk)
install(FILES proto/gamehost/host.proto DESTINATION include/gamehost COMPONENT sdk)
install(FILES ${CMAKE_BINARY_DIR}/sdk-install/GameHostSDKConfig.cmake
              ${CMAKE_BINARY_DIR}/sdk-package/GameHostSDKConfigVersion.cmake
              cmake/GameHostPlugin.cmake
        DESTINATION lib/cmake/GameHostSDK COMPONENT sdk)
