# Installation layout and the Debian package (cpack -G DEB): the binaries, the systemd units
# with their sysusers/tmpfiles entries, the calendar, the Prometheus samples and the README.
include(GNUInstallDirs)
# `cpack` installs the two binaries and the files below without first building every test.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS lienthongd lienthongctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES
            deploy/systemd/lienthongd.service
            deploy/systemd/lienthong-backup.service
            deploy/systemd/lienthong-backup.timer
        DESTINATION lib/systemd/system)
install(FILES deploy/systemd/lienthong.sysusers DESTINATION lib/sysusers.d RENAME lienthong.conf)
install(FILES deploy/systemd/lienthong.tmpfiles DESTINATION lib/tmpfiles.d RENAME lienthong.conf)
install(FILES deploy/calendar/vn.json DESTINATION ${CMAKE_INSTALL_DATADIR}/lienthong/calendar)
install(FILES deploy/prometheus/prometheus.yml deploy/prometheus/lienthong-alerts.yml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/prometheus)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lienthong)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Provincial document interconnection hub (lienthongd, lienthongctl)")
set(CPACK_PACKAGE_CONTACT "lienthong maintainers <maintainers@lienthong.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The shared libraries the binaries link (OpenSSL, protobuf, SQLite, Boost) become Depends.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
