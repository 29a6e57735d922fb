import { readFileSync } from 'node:fs';
import type { CliIo } from './runCommand.js';
import { executorUsage } from './executorUsage.js';
import { runUsage } from './runUsage.js';

const usage = `Usage: kuberdd <command> [options]

Commands:
  run [options] <job.ts|job.js> [job args…]   run a job (see 'kuberdd run --help')
  executor --nats <url> --app <id> [options]   run one executor of a job's driver (see 'kuberdd executor --help')
  operator [--namespace <ns>,…] [options]      run the SparkJob operator on Kubernetes (see 'kuberdd operator --help')
  driver [--conf k=v]… <job file> [job args…]  run a job in a SparkJob's driver pod (started by the operator)
  help [command]                               show help for kuberdd or a command

Options:
  -h, --help     show this help
  --version      print kuberdd's version`;

/** The `kuberdd` command line: dispatches to a subcommand and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      // Loaded on demand so that --help and --version answer without loading tsx and the engine.
      const { runCommand } = await import('./runCommand.js');
      return runCommand(rest, io);
    }
    case 'executor': {
      const { executorCommand } = await import('./executorCommand.js');
      return executorCommand(rest, io);
    }
    case 'operator': {
      const { operatorCommand } = await import('./operatorCommand.js');
      return operatorCommand(rest, io);
    }
    case 'driver': {
      const { driverCommand } = await import('./driverCommand.js');
      return driverCommand(rest, io);
    }
    case 'help':
    case '--help':
    case '-h':
      if (command === 'help' && rest[0] === 'run') {
        io.stdout.write(`${runUsage}\n`);
        return 0;
      }
      if (command === 'help' && rest[0] === 'executor') {
        io.stdout.write(`${executorUsage}\n`);
        return 0;
      }
      if (command === 'help' && rest[0] !== undefined) return unknownCommand(rest[0], io);
      io.stdout.write(`${usage}\n`);
      return 0;
    case '--version':
      io.stdout.write(`kuberdd ${version()}\n`);
      return 0;
    case undefined:
      io.stderr.write(`${usage}\n`);
      return 2;
    default:
      return unknownCommand(command, io);
  }
}

function unknownCommand(command: string, io: CliIo): number {
  const what = command.startsWith('-') ? 'option' : 'command';
  io.stderr.write(`error: unknown ${what} '${command}'\n\n${usage}\n`);
  return 2;
}

function version(): string {
  // The same relative path from src/cli/main.ts and from the built dist/cli/main.js.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
