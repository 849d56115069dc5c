/**
 * The persistent disk actions, all asynchronous except list_disk below protocol 3 (the bosh-cli
 * sends no protocol, so for it list_disk answers directly).
 */
import { requireArgs, stringArg } from "./action-args.js";
import type { DiskManager } from "./disks.js";
import type { Action } from "./dispatcher.js";

export function diskActions(disks: DiskManager): Record<string, Action> {
  return {
    mount_disk: {
      async: true,
      run: async (args) => {
        requireArgs(args, 1);
        await disks.mount(stringArg(args, 0));
        return {};
      },
    },
    unmount_disk: {
      async: true,
      run: async (args) => {
        requireArgs(args, 1);
        return disks.unmount(stringArg(args, 0));
      },
    },
    list_disk: { async: (protocol) => protocol >= 3, run: async () => disks.list() },
    migrate_disk: {
      async: true,
      run: async () => {
        await disks.migrate();
        return {};
      },
    },
    add_persistent_disk: {
      async: true,
      run: async (args) => {
        requireArgs(args, 2);
        await disks.addHint(stringArg(args, 0), args[1]);
        return {};
      },
    },
    remove_persistent_disk: {
      async: true,
      run: async (args) => {
        requireArgs(args, 1);
        await disks.removeHint(stringArg(args, 0));
        return {};
      },
    },
  };
}
