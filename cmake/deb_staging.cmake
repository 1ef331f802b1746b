# Run by CPack (CPACK_PRE_BUILD_SCRIPTS, cmake/Packaging.cmake) on the staged tree, before it
# becomes the .deb: what a Debian package holds beyond the install rules.
#   - the systemd unit, in systemd's unit directory;
#   - /etc/rcc/rcc.toml (dist/rcc.toml), a conffile (dist/debian/conffiles);
#   - changelog.Debian.gz and gzip -9n man pages, as Debian policy wants them;
#   - the lintian overrides (dist/debian/lintian-overrides, each with its reason);
#   - binaries without the .comment section (compiler versions), as dh_strip leaves them.
set(root ${CPACK_TEMPORARY_INSTALL_DIRECTORY})  # file(COPY), not file(INSTALL): CPack sets DESTDIR
set(src ${CPACK_RCC_SOURCE_DIR})
set(prefix ${root}${CPACK_PACKAGING_INSTALL_PREFIX})

file(COPY ${src}/dist/systemd/rcc-gatewayd.service DESTINATION ${root}${CPACK_RCC_UNIT_DIR}
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(COPY ${src}/dist/rcc.toml DESTINATION ${root}/etc/rcc
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The changelog's first entry must be this version: a release bumps both.
file(STRINGS ${src}/dist/debian/changelog first LIMIT_COUNT 1)
set(version ${CPACK_DEBIAN_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})
if(NOT first MATCHES "^rcc-tools \\(${version}\\) ")
  message(FATAL_ERROR "dist/debian/changelog starts with '${first}', not version ${version}: "
                      "add an entry for it")
endif()

file(MAKE_DIRECTORY ${prefix}/share/lintian/overrides)
file(COPY_FILE ${src}/dist/debian/lintian-overrides ${prefix}/share/lintian/overrides/rcc-tools)

find_program(GZIP gzip REQUIRED)
set(doc ${prefix}/${CPACK_RCC_DOC_DIR})
file(MAKE_DIRECTORY ${doc})
execute_process(COMMAND sh -c "${GZIP} -9n < \"$0\" > \"$1\"" ${src}/dist/debian/changelog
                        ${doc}/changelog.Debian.gz
                COMMAND_ERROR_IS_FATAL ANY)
file(GLOB pages ${prefix}/${CPACK_RCC_MAN_DIR}/man*/*)
foreach(page ${pages})
  if(NOT page MATCHES "\\.gz$")
    execute_process(COMMAND ${GZIP} -9nf ${page} COMMAND_ERROR_IS_FATAL ANY)
  endif()
endforeach()

find_program(OBJCOPY objcopy REQUIRED)
file(GLOB programs ${prefix}/bin/* ${prefix}/sbin/*)
foreach(program ${programs})
  execute_process(COMMAND ${OBJCOPY} --remove-section=.comment ${program} COMMAND_ERROR_IS_FATAL ANY)
endforeach()
