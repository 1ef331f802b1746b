# The Debian package, built by `cpack -G DEB` (scripts/package). CPack rather than a debian/
# directory: the package comes from the same install rules as `cmake --install`, so a new tool
# (rcc_add_tool), man page or example lands in it with no packaging change, and the build tree
# the tests use can produce it with one command. What a Debian package has beyond those install
# rules is in dist/debian/ (maintainer scripts, conffiles, copyright, changelog) and in
# cmake/deb_staging.cmake, which CPack runs on the staged tree.
#
# Configure the tree that makes a package for release with -DCMAKE_INSTALL_PREFIX=/usr (as
# scripts/package does): the gateway compiles in where its examples live (DOCDIR).

set(RCC_PACKAGE_MAINTAINER "rcc-tools maintainers <maintainers@users.noreply.b-seed-50bc6d36.example>"
    CACHE STRING "Maintainer field of the Debian package")

# The license, in the Debian copyright format, for any install. The unit, the conffile and the
# changelog are the package's alone (a /usr/local install keeps its own /etc and unit): they are
# put into the staged tree by cmake/deb_staging.cmake.
install(FILES ${PROJECT_SOURCE_DIR}/dist/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
pkg_get_variable(RCC_SYSTEMD_UNIT_DIR systemd systemdsystemunitdir)
if(NOT RCC_SYSTEMD_UNIT_DIR)
  set(RCC_SYSTEMD_UNIT_DIR /lib/systemd/system)  # Debian 12's
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rcc-tools)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Debian revision 1 of upstream PROJECT_VERSION: dist/debian/changelog's first entry names it.
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_PACKAGE_CONTACT "${RCC_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Remote Call Control gateway and tools for OCS/Lync")
set(CPACK_PACKAGE_DESCRIPTION
    "rcc-gatewayd lets Office Communicator and Lync users drive their desk
phones: it speaks uaCSTA over SIP towards the OCS/Lync pool and CSTA XML over
TCP towards the call manager's CTI nodes, and runs under systemd as a notify
service.

The tools around it: rcc-csr (TLS keys, requests and chain checks),
rcc-ctisim (a CTI manager simulator), rcc-ctiprobe (a monitoring-plugin check
of CTI nodes) and rcc-normalize-test (phone number normalization rules: apply,
explain, lint, test).")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${RCC_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # rcc-tools_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps adds the libraries; adduser is for postinst.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/dist/debian/conffiles
    ${PROJECT_SOURCE_DIR}/dist/debian/postinst
    ${PROJECT_SOURCE_DIR}/dist/debian/prerm
    ${PROJECT_SOURCE_DIR}/dist/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# Read by cmake/deb_staging.cmake when CPack runs it.
set(CPACK_RCC_SOURCE_DIR ${PROJECT_SOURCE_DIR})
set(CPACK_RCC_DOC_DIR ${CMAKE_INSTALL_DOCDIR})
set(CPACK_RCC_UNIT_DIR ${RCC_SYSTEMD_UNIT_DIR})
set(CPACK_RCC_MAN_DIR ${CMAKE_INSTALL_MANDIR})
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/deb_staging.cmake)

include(CPack)
