#pragma once
// lienthongctl's commands. Each takes the words after its name and returns the exit code:
// 0 success, 2 invalid input or usage, 1 any other failure (I/O, network, server error).

#include <string>
#include <vector>

namespace ctl {

using Words = std::vector<std::string>;

int cmd_code(const Words& words);
int cmd_time(const Words& words);
int cmd_envelope(const Words& words);
int cmd_dev_env(const Words& words);
int cmd_post(const Words& words);
int cmd_receipt(const Words& words);
int cmd_inbox(const Words& words);
int cmd_status(const Words& words);
int cmd_trace(const Words& words);
int cmd_org(const Words& words);
int cmd_edxml(const Words& words);
int cmd_maintenance(const Words& words);
int cmd_national(const Words& words);
int cmd_dead_letters(const Words& words);
int cmd_audit(const Words& words);
int cmd_backup(const Words& words);
int cmd_restore(const Words& words);
int cmd_report(const Words& words);

}  // namespace ctl
