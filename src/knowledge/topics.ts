/**
 * What smsdiag knows about SMS HA, as data: one entry per condition and per explain topic. Every
 * statement says what it rests on (guide.ts): a section of the vendor's troubleshooting guide,
 * whose facts are told here in smsdiag's own words, or smsdiag's own reasoning and conventions.
 * Shell commands on an SMS need service mode, which product support grants; the statements that
 * name one say so. `{threshold:NAME}` is a limit of thresholds.ts, rendered with its value.
 */
import { guide, ours, type Said } from './guide';

export interface CauseAdvice {
  id: string;
  title: string;
  why: Said;
  nextSteps: Said[];
}

export interface Topic {
  id: string;
  kind: 'condition' | 'topic';
  title: string;
  aliases: string[];
  meaning: Said[];
  whatToCheck: Said[];
  nextSteps: Said[];
  causes: CauseAdvice[];
  related: string[];
}

const SERVICE_MODE = 'in service mode (product support grants access)';

const healthCheckSteps = (what: string): Said[] => [
  guide('HA Failed', `Read sms-info.log on the node for the minutes before the ${what} check failed, and what was logged before each error there.`),
  guide('server failovers', 'Resolve that fault, then bring the node back into the cluster by synchronizing.'),
  guide('before TAC', 'If it happens again, collect both nodes soon afterwards (smsdiag collect --peer) with a description and the date, for a support case.'),
];

const UNKNOWN_STEPS: Said[] = [
  ours('Read sms-info.log of both nodes for the ten minutes before it.'),
  ours('Check that the logs reach back far enough: rotation may have removed the start (analyze --incident TIME says so).'),
  guide('before TAC', 'Collect both nodes with a description and the date, and open a support case.'),
];

/** Why a passive node took over, or considered it: shared by passive-takeover and takeover-averted. */
const TAKEOVER_CAUSES: CauseAdvice[] = [
  {
    id: 'network',
    title: 'The link between the nodes failed',
    why: guide('network failovers', 'Heartbeats failed while the old active server kept running: the link failed, not the server.'),
    nextSteps: [
      guide('network failovers', 'Make the link between the nodes reliable, with a delay below 300 ms.'),
      guide('dual NICs', 'Give the heartbeat a second path: configure both a primary and a secondary network interface.'),
      guide('network failovers', 'If both nodes ended up Active, fail back to the primary by synchronizing.'),
    ],
  },
  {
    id: 'server:database',
    title: "The active node's database failed",
    why: guide('Passive Takeover', "The old active node's database failed before the takeover: a crash, corruption, or a failed database check."),
    nextSteps: [
      guide('database errors', "Read the old active node's mysqld.err for crash and corruption entries (smsdiag explain crash PATH, smsdiag explain corruption PATH)."),
      guide('server failovers', 'Resolve it on that node before any synchronization, with product support if the database is damaged.'),
      guide('server failovers', 'Then review its load: managed device count, device event rate, profile distribution, DV distribution.'),
    ],
  },
  {
    id: 'server:jboss',
    title: "The active node's application server stopped answering",
    why: guide('Passive Takeover', "The old active node's JBoss check failed before the takeover."),
    nextSteps: [
      guide('Java heap', "Look for java.lang.OutOfMemoryError in the old active node's sms-info.log and tpt_sms.txt."),
      guide('network failovers', 'Check that node for enough memory, file-system space and threads.'),
      guide('server failovers', 'Review managed device count, event rate, profile and DV distribution before synchronizing.'),
    ],
  },
  {
    id: 'server:oom',
    title: "The active node's Java server ran out of memory",
    why: guide('Java heap', 'The old active node ran out of Java heap memory (java.lang.OutOfMemoryError) before the takeover.'),
    nextSteps: [ours('smsdiag explain oom PATH names the variant and what it points at.'), guide('server failovers', 'Reduce the load on that node, or give it more memory, before synchronizing.')],
  },
  {
    id: 'server:resources',
    title: 'The active node ran out of a resource',
    why: guide('network failovers', 'The old active node ran short of something the guide asks you to watch on the primary — memory, file systems, threads — before the takeover.'),
    nextSteps: [
      ours('Free the resource on that node (disk space, file handles, threads, memory): smsdiag explain resource-exhaustion PATH says which.'),
      guide('network failovers', 'Monitor memory, file systems and threads on the primary from now on.'),
      guide('server failovers', 'Then synchronize.'),
    ],
  },
  {
    id: 'server:load',
    title: 'The active node was overloaded',
    why: guide('server failovers', 'The old active node was busy — a backup, a profile or DV distribution — and answered too late before the takeover.'),
    nextSteps: [
      guide('server failovers', 'Review on the primary: managed device count, rate of device events, profile distribution, DV distribution.'),
      ours('Schedule backups and distributions for quiet hours, and watch heartbeat reply times (smsdiag reports replies slower than {threshold:heartbeat-slow}).'),
      guide('server failovers', 'Resolve the overload before synchronizing.'),
    ],
  },
  {
    id: 'node-down',
    title: 'The active node was down',
    why: ours('The old active node was down — it logged nothing, then started again, with database crash recovery when the stop was not clean — and the passive node took over as it should. A server cause, not a network one.'),
    nextSteps: [
      guide('power off', 'Find out why it went down (power, a hang, a reset): nodes with HA enabled must never be powered off.'),
      guide('database errors', 'Check its mysqld.err for crash and corruption entries from the restart.'),
      guide('server failovers', 'When it is sound, synchronize to bring it back.'),
    ],
  },
  {
    id: 'operator',
    title: 'An administrator acted',
    why: ours('An administrator swapped the roles or disabled HA just before.'),
    nextSteps: [ours('Confirm the change with whoever made it; no fault need be involved.')],
  },
  {
    id: 'unknown',
    title: 'No cause found in the logs given',
    why: ours('Neither a server fault, nor the active node being down, nor heartbeat trouble was logged before it in the logs smsdiag read.'),
    nextSteps: UNKNOWN_STEPS,
  },
];

export const TOPICS: readonly Topic[] = [
  {
    id: 'ha-failed',
    kind: 'condition',
    title: 'HA Failed',
    aliases: ['failed', 'ha-failed-state'],
    meaning: [
      guide('HA Failed', 'The node put its HA service into the Failed state. Some reasons are normal, even by design; others point at a fault, so the reason decides what to do.'),
      ours('A Failed node neither serves nor takes over: until it rejoins, the cluster has no standby.'),
    ],
    whatToCheck: [
      guide('HA Failed', `When it began: ${SERVICE_MODE}, grep "Local state: Failed" ha.log* | more; smsdiag timeline --around TIME shows both nodes then.`),
      guide('HA Failed', 'What sms-info.log recorded before that time.'),
      guide('HA Failed', 'Whether HA had just been shut down improperly (power loss, a hard reset): Failed is then the expected outcome.'),
      guide('HA Failed', 'Whether the passive node had just taken over and asked this one to fail, so that the cluster does not run active/active: that Failed is by design.'),
      guide('HA Failed', 'Whether a local health check, the database check for one, failed on the node.'),
    ],
    nextSteps: [
      ours('Find the reason first: smsdiag explain failed PATH names the one the logs support, with the lines that decided it.'),
      guide('server failovers', 'Resolve what made the node fail before bringing it back; synchronizing on top of an unresolved fault only repeats it.'),
      guide('network failovers', 'Bring the node back into the cluster by synchronizing.'),
      guide('power off', 'Do not power the node off to reset HA: with HA enabled that risks file-system and database damage.'),
    ],
    causes: [
      {
        id: 'peer-requested',
        title: 'By design: the peer took over',
        why: guide('HA Failed', 'The passive node took over and then saw this node still Active; this node was asked to put itself in Failed so that only one node serves. The guide calls that by design.'),
        nextSteps: [
          ours('The incident to investigate is the takeover: smsdiag explain takeover PATH.'),
          guide('server failovers', 'Resolve what caused the takeover, then synchronize to make this node Passive again, or to fail back to it.'),
        ],
      },
      {
        id: 'improper-shutdown',
        title: 'After an improper shutdown',
        why: guide('HA Failed', 'The node came back from a stop that was not clean — power loss, a hard reset — and its HA service then starts in Failed.'),
        nextSteps: [
          guide('database errors', 'Check mysqld.err (/var/lib/mysql/dbdatadir/mysqld.err) for crash and corruption entries from the restart: smsdiag explain corruption PATH.'),
          guide('power off', 'Make sure nodes with HA enabled are never powered off; a node that does not respond is restarted from its peer over SSH instead.'),
          guide('network failovers', 'When the database is sound, synchronize to bring the node back into the cluster.'),
        ],
      },
      { id: 'local-health-check:database', title: "The node's own database check failed", why: guide('HA Failed', 'A local health check of the node — the database check — failed, and the node left the cluster.'), nextSteps: healthCheckSteps('database') },
      { id: 'local-health-check:jboss', title: "The node's own application server check failed", why: guide('Passive Takeover', "The node's local JBoss check failed, and the node left the cluster."), nextSteps: healthCheckSteps('JBoss') },
      {
        id: 'local-health-check:interface',
        title: 'A network interface check failed',
        why: guide('Passive Takeover', "The node's local interface/network check failed."),
        nextSteps: [ours('Check the interface, cable and switch port (ip addr, ip link, the switch logs).'), ...healthCheckSteps('interface').slice(1)],
      },
      {
        id: 'local-health-check:heartbeat',
        title: 'The heartbeat check failed',
        why: guide('Passive Takeover', "The node's local heartbeat check failed."),
        nextSteps: [ours('Check the paths between the nodes (smsdiag explain heartbeat).'), ...healthCheckSteps('heartbeat').slice(1)],
      },
      { id: 'operator', title: 'An administrator acted', why: ours('An administrator disabled HA or swapped the roles on the node just before.'), nextSteps: [ours('Confirm the change with whoever made it; no fault need be involved.')] },
      { id: 'unknown', title: 'No cause found in the logs given', why: ours('Nothing near the Failed state — no request from the peer, no improper shutdown, no failed health check — explains it in the logs smsdiag read.'), nextSteps: UNKNOWN_STEPS },
    ],
    related: ['passive-takeover', 'unclean-shutdown', 'no-active-node', 'states', 'power-off'],
  },
  {
    id: 'passive-takeover',
    kind: 'condition',
    title: 'Passive takeover',
    aliases: ['takeover', 'failover'],
    meaning: [
      guide('failover', 'The passive node promoted itself to Active because it concluded the active node was gone.'),
      guide('network failovers', 'Either the active server really failed, or the network between the nodes failed while both kept running — and the two call for different actions.'),
    ],
    whatToCheck: [
      guide('Passive Takeover', `On the node that took over, ${SERVICE_MODE}: grep "considering cluster takeover" ha.log* and grep "attempting to restart active system" ha.log*.`),
      guide('Passive Takeover', 'On that node, in the same minutes, failed peer health checks: heartbeat, interface/network, database, JBoss.'),
      guide('Passive Takeover', 'On the old active node, in the same minutes, a failed local health check of the same kinds.'),
      ours('Whether the old active node kept logging while its heartbeats went unanswered (the network), or fell silent and started again later (it was down): smsdiag weighs both.'),
    ],
    nextSteps: [
      ours('Let smsdiag weigh the causes from both nodes: smsdiag explain takeover PATH.'),
      guide('server failovers', 'For a server cause, investigate the old active node before any synchronization: managed device count, device event rate, profile and DV distribution.'),
      guide('network failovers', 'If both nodes ended up Active, fail back to the primary by synchronizing.'),
    ],
    causes: TAKEOVER_CAUSES,
    related: ['takeover-averted', 'ha-failed', 'split-brain', 'heartbeat-loss', 'heartbeat'],
  },
  {
    id: 'takeover-averted',
    kind: 'condition',
    title: 'Takeover considered, averted',
    aliases: ['averted', 'near-takeover'],
    meaning: [
      ours('The passive node considered taking over but stayed Passive: its attempt to restart the active system worked, or the active node answered again.'),
      ours('An early warning: the active node had a problem that nearly cost a failover.'),
    ],
    whatToCheck: [
      guide('Passive Takeover', `On the passive node, ${SERVICE_MODE}: grep "considering cluster takeover" ha.log* and grep "attempting to restart active system" ha.log*, and its failed peer health checks.`),
      guide('Passive Takeover', "On the active node, its failed local health checks in the same minutes."),
    ],
    nextSteps: [ours('smsdiag explain takeover-averted PATH says what the active node went through.'), guide('server failovers', 'Treat a server cause as you would for a takeover: resolve it before it returns.')],
    causes: TAKEOVER_CAUSES,
    related: ['passive-takeover', 'heartbeat-loss'],
  },
  {
    id: 'ha-degraded',
    kind: 'condition',
    title: 'HA degraded',
    aliases: ['degraded'],
    meaning: [guide('HA Degraded', 'The HA service reports DEGRADED HA (SMS 4.0 and later): the cluster runs, but something it relies on is not working.')],
    whatToCheck: [
      guide('HA Degraded', `When it began, ${SERVICE_MODE}: grep "DEGRADED HA" ha.log* (the guide's glob ha.log.* would leave out the current ha.log).`),
      guide('HA Degraded', 'The exceptions in sms-info.log* before each DEGRADED HA line, and what was logged before each exception.'),
    ],
    nextSteps: [
      guide('HA Degraded', 'Work through those exceptions, earliest first.'),
      ours('Java out-of-memory errors, database errors and nodes on different versions often lead here: smsdiag explain degraded PATH says which the logs show.'),
    ],
    causes: [
      {
        id: 'version-mismatch',
        title: 'The nodes run different versions',
        why: guide('software updates', 'Only one node was upgraded, so the two run different versions; an update is applied to each node separately, with HA disabled, and the cluster then configured again.'),
        nextSteps: [guide('software updates', 'Disable HA, bring the other node to the same version, configure HA again and synchronize.')],
      },
      { id: 'server:oom', title: 'The Java server ran out of memory', why: guide('Java heap', 'The node ran out of Java heap memory before HA became degraded.'), nextSteps: [ours('smsdiag explain oom PATH names the variant.'), ours('Restart the SMS services cleanly, and reduce the load or give the node more memory.')] },
      { id: 'server:database', title: 'The database failed', why: guide('database errors', "The node's database reported a crash or corruption, or failed its check, before HA became degraded."), nextSteps: [guide('database errors', 'Read mysqld.err for crash and corruption entries; involve product support before repairing.')] },
      { id: 'exceptions', title: 'Exceptions before it', why: guide('HA Degraded', 'sms-info.log recorded exceptions before HA became degraded; the first of them usually names the fault.'), nextSteps: [guide('HA Degraded', 'Review what was logged before each exception, earliest first.')] },
      { id: 'unknown', title: 'No cause found in the logs given', why: ours('No exception, memory or database error was logged on the node in the fifteen minutes before.'), nextSteps: UNKNOWN_STEPS },
    ],
    related: ['java-oom', 'maintenance-under-ha', 'upgrade'],
  },
  {
    id: 'java-oom',
    kind: 'condition',
    title: 'Java out of memory',
    aliases: ['oom', 'out-of-memory', 'outofmemoryerror'],
    meaning: [
      guide('Java heap', 'The SMS Java server had too little memory left to work correctly (java.lang.OutOfMemoryError).'),
      ours('After that, requests and health checks fail unpredictably, and HA may degrade or fail over.'),
    ],
    whatToCheck: [
      guide('Java heap', `${SERVICE_MODE}: grep "java.lang.OutOfMemoryError" tpt_sms.txt and grep "java.lang.OutOfMemoryError" sms-info.log*.`),
      ours('The text after the colon: "Java heap space" and "GC overhead limit exceeded" mean the heap is too small for the load; "Metaspace" and "Compressed class space" point at class loading; "unable to create native thread" at a thread or process limit, a resource rather than the heap; "Requested array size exceeds VM limit" at one oversized request; direct buffer memory (Java 17 words it "bytes of direct buffer memory") at off-heap buffers.'),
    ],
    nextSteps: [
      ours('Restart the SMS services cleanly to recover the node.'),
      guide('network failovers', 'Reduce what drives memory use, or give the node more memory, and monitor it.'),
      guide('before TAC', 'Send tpt_sms.txt, and the heap dump it names if any, with the logs of both nodes.'),
    ],
    causes: [],
    related: ['ha-degraded', 'passive-takeover', 'resource-exhaustion'],
  },
  {
    id: 'db-corruption',
    kind: 'condition',
    title: 'Database corruption',
    aliases: ['corruption', 'corrupt'],
    meaning: [ours('The database server found damaged tables or pages: queries on them fail, and replication to the passive node may stop.')],
    whatToCheck: [
      guide('database errors', 'mysqld.err (/var/lib/mysql/dbdatadir/mysqld.err) for corruption entries.'),
      ours('MariaDB and MySQL word them "is marked as crashed", "is corrupt" (older servers: an incorrect key file) and, for InnoDB, "Page read from tablespace is corrupted", database page corruption on disk, or "is in the future" (a data page newer than the redo log: the log files were replaced or lost).'),
      guide('power off', 'Whether the node had been powered off with HA enabled shortly before: that is a cause of corruption.'),
    ],
    nextSteps: [
      guide('before TAC', 'Contact product support before repairing anything; collect both nodes with a description and the date.'),
      ours('Do not synchronize the cluster from a node whose database is damaged: the damage would be copied.'),
    ],
    causes: [],
    related: ['db-crash', 'unclean-shutdown', 'power-off'],
  },
  {
    id: 'db-crash',
    kind: 'condition',
    title: 'Database crash',
    aliases: ['crash', 'mysql-crash'],
    meaning: [ours('The database server process died — a signal such as 11 or 6, or a failed internal assertion — and wrote a crash report. Everything on the SMS that needs the database stops until it is back.')],
    whatToCheck: [
      guide('database errors', 'mysqld.err for crash entries.'),
      ours('MariaDB and MySQL write "got signal" with the signal number (MySQL 5.7 and later stamp that line with the time of day only, "UTC - mysqld got signal"), or "Assertion failure", and a backtrace after it; what the restart logged next shows crash recovery and any corruption.'),
    ],
    nextSteps: [
      guide('before TAC', 'Keep mysqld.err with its crash report for the support case.'),
      guide('network failovers', 'Check the node for free disk space and memory.'),
      ours('If it crashes again, do not synchronize the cluster onto this node until support has looked at it.'),
    ],
    causes: [
      { id: 'server:resources', title: 'A resource ran out first', why: ours('The database ran out of disk space, file handles, threads or memory just before it crashed.'), nextSteps: [ours('Free the resource (smsdiag explain resource-exhaustion PATH), then restart the database.')] },
      { id: 'unknown', title: 'A fault of the database server itself', why: ours('Nothing logged before the crash points at a cause outside the database server.'), nextSteps: [guide('before TAC', 'Send mysqld.err with its crash report to product support.')] },
    ],
    related: ['db-corruption', 'passive-takeover', 'resource-exhaustion'],
  },
  {
    id: 'db-start-failed',
    kind: 'condition',
    title: 'Database did not start',
    aliases: ['start-failed', 'startup-failure'],
    meaning: [ours('The database server began a start-up and gave up ("Aborting") before it was ready for connections. Until it starts, nothing on the node that needs the database works, and a node whose database cannot start cannot serve as the active one.')],
    whatToCheck: [
      ours('The [ERROR] lines of mysqld.err between the start and "Aborting": smsdiag names the first one. Typical: the port is in use ("Address already in use"), memory could not be had, or InnoDB found its files damaged.'),
      guide('network failovers', 'Free disk space and memory on the node.'),
    ],
    nextSteps: [
      ours('Fix what the first error names, then start the database again; if InnoDB reports damage, treat it as corruption (smsdiag explain corruption PATH).'),
      guide('before TAC', 'If it will not start, collect the node with a description and the date for a support case.'),
    ],
    causes: [],
    related: ['db-crash', 'db-corruption', 'resource-exhaustion'],
  },
  {
    id: 'replication-broken',
    kind: 'condition',
    title: 'Replication broken',
    aliases: ['replication'],
    meaning: [guide('database replication', 'The active node replicates its data to the passive one; here that stopped, or fell far behind.'), ours('A takeover now would bring up stale data.')],
    whatToCheck: [
      ours('mysqld.err on the passive node for replication errors: MariaDB and MySQL 5 write "Slave I/O" and "Slave SQL", MySQL 8 Replica instead of Slave (with "for channel" after it). smsdiag follows each thread: an error stops it, "connected to master" or "initialized, starting replication" shows it running again. One still stopped when the log ends is critical; one that ran again is a warning.'),
      ours('How far replication lags: smsdiag reports a lag over {threshold:replication-delay}; the "Replication delay:" line it reads is its own convention for ha.log.'),
      guide('software updates', 'Whether a patch with database changes, or an upgrade, was applied with HA enabled.'),
    ],
    nextSteps: [guide('software updates', 'Bring it back the way the guide re-forms a cluster: disable HA, resolve the cause, configure HA again and synchronize.')],
    causes: [
      { id: 'maintenance-under-ha', title: 'Maintenance with HA enabled', why: guide('software updates', 'A patch with database changes or an upgrade ran with HA enabled; that breaks replication.'), nextSteps: [guide('software updates', 'Disable HA, apply the update to each node separately, configure HA again and synchronize.')] },
      { id: 'server:resources', title: "The passive node's disk filled up", why: guide('network failovers', 'The passive node ran out of file-system space (or another resource) and its database stopped applying changes.'), nextSteps: [ours('Free space on that node (smsdiag explain resource-exhaustion PATH); a replica that was only waiting for space catches up by itself.'), guide('software updates', 'If replication does not catch up, or stopped on an error, re-form the cluster: disable HA, configure it again and synchronize.')] },
      { id: 'source-down', title: 'The active node went down', why: ours("The replication source — the active node's database — went down or crashed, so the passive node lost it."), nextSteps: [ours('Deal with the active node first (smsdiag explain takeover PATH or crash PATH).'), guide('data synchronization', 'Once a node is Active and sound, synchronize.')] },
      { id: 'data-conflict', title: 'A change conflicted with data already there', why: ours('A change from the active node collided with data already on the passive node — data typically written there by maintenance or by hand.'), nextSteps: [guide('software updates', 'Such rows are not for an administrator to edit: disable HA, configure it again and synchronize, which copies the database whole.')] },
      { id: 'network', title: 'The source could not be reached', why: ours('The passive node could not connect to the active node for replication, while nothing shows the active node down.'), nextSteps: [guide('network failovers', 'Check the link between the nodes (delay below 300 ms, both interfaces).')] },
      { id: 'unknown', title: 'No cause found in the logs given', why: ours('Nothing logged around it explains the break.'), nextSteps: UNKNOWN_STEPS },
    ],
    related: ['maintenance-under-ha', 'resource-exhaustion', 'external-replication'],
  },
  {
    id: 'split-brain',
    kind: 'condition',
    title: 'Split brain (active/active)',
    aliases: ['active-active', 'splitbrain'],
    meaning: [
      guide('network failovers', 'Both nodes were Active at once: when heartbeats fail in both directions while both servers keep running, the passive node takes over and the cluster runs active-active.'),
      ours('Clients and devices may have used either node, so their data drifted apart. smsdiag reports it when both were, by their own or their peer\'s lines, Active and running for more than {threshold:split-brain}.'),
    ],
    whatToCheck: [ours('Heartbeat failures on both nodes just before the overlap, and both nodes logging through it.')],
    nextSteps: [
      guide('network failovers', 'Return the cluster to the primary by synchronizing from it.'),
      guide('network failovers', 'Then make the link reliable (delay below 300 ms) so that it does not recur.'),
      guide('dual NICs', 'Configure both network interfaces, so that one failing path does not split the cluster.'),
    ],
    causes: [
      { id: 'heartbeat-path', title: 'The heartbeat path failed in both directions', why: guide('network failovers', 'Heartbeats were lost while both servers kept working, so each took the other for gone.'), nextSteps: [guide('network failovers', 'Fail back to the primary by synchronizing.'), guide('dual NICs', 'Give the heartbeat a second path.')] },
      { id: 'unknown', title: 'No heartbeat loss found', why: ours('The overlap is in the logs, but no heartbeat failure precedes it in what smsdiag read.'), nextSteps: [guide('network failovers', 'Fail back to the primary by synchronizing, then collect both nodes for support.')] },
    ],
    related: ['passive-takeover', 'heartbeat-loss', 'heartbeat'],
  },
  {
    id: 'no-brain',
    kind: 'condition',
    title: 'No active node for a while',
    aliases: ['none-active', 'nobrain'],
    meaning: [ours('For a while neither node was Active although HA was enabled: nothing served clients or managed devices. smsdiag reports it when it lasted more than {threshold:no-brain}, counting only where both nodes\' states are known.')],
    whatToCheck: [ours('What each node did in that span (smsdiag state PATH; smsdiag timeline --around TIME).'), ours('An administrator swap or restart just before it.')],
    nextSteps: [ours('If it ended by itself after a swap, it was the swap taking long: nothing to repair.'), guide('power off', 'Otherwise bring a node to Active through the SMS, never by power cycling.')],
    causes: [],
    related: ['no-active-node', 'states', 'ha-failed'],
  },
  {
    id: 'no-active-node',
    kind: 'condition',
    title: 'No node is Active now',
    aliases: ['no-active', 'nothing-active'],
    meaning: [ours('No node is Active now: every node is Failed, Passive or in another state, so nothing serves clients or manages devices.')],
    whatToCheck: [
      guide('identify state', `Each node's state: get HA in the SMS CLI, or ${SERVICE_MODE} cat /etc/ha.state.`),
      ours('Why each node left Active or did not take over: smsdiag explain failed PATH, smsdiag state PATH.'),
    ],
    nextSteps: [
      guide('server failovers', 'Resolve what made the nodes leave Active first.'),
      guide('state transitions', 'Then form the cluster again: synchronizing from the node whose data you keep — normally the primary — takes it through synchronization and Restart to Active, and the other to Passive.'),
      guide('power off', 'Do not power-cycle a node to force it: restart its services from its peer over SSH if it does not respond.'),
    ],
    causes: [],
    related: ['ha-failed', 'states', 'no-brain'],
  },
  {
    id: 'sync-failed',
    kind: 'condition',
    title: 'Synchronization failed',
    aliases: ['sync', 'synchronization'],
    meaning: [guide('state transitions', 'A synchronization failed and the node went back to the state it had before, as a failed transition does.'), ours('Until a synchronization completes, the cluster is not formed and protects nothing.')],
    whatToCheck: [ours('The reason logged with the failure, and both nodes at that moment (smsdiag timeline --around TIME).'), ours('The link between the nodes and free disk space on the target: a synchronization copies the whole database.')],
    nextSteps: [ours('Fix what the failure names, then synchronize again.'), guide('data synchronization', 'A synchronization copies the database and configuration from the active node to the passive one; only when it completes is the passive node current.')],
    causes: [],
    related: ['states', 'no-active-node'],
  },
  {
    id: 'active-on-db-errors',
    kind: 'condition',
    title: 'New active node on a failing database',
    aliases: ['active-db-errors'],
    meaning: [ours('The node that took over had reported database errors of its own shortly before or after it became Active: it may serve stale or damaged data.')],
    whatToCheck: [guide('database errors', 'Its mysqld.err around the takeover: corruption and crash entries, replication errors.')],
    nextSteps: [
      guide('before TAC', 'Contact product support before anything else; collect both nodes with a description and the time.'),
      ours('Do not synchronize from this node until its database is known to be good: a synchronization copies it to the other node.'),
    ],
    causes: [],
    related: ['passive-takeover', 'replication-broken', 'db-corruption'],
  },
  {
    id: 'resource-exhaustion',
    kind: 'condition',
    title: 'Resource exhausted',
    aliases: ['disk-full', 'resources'],
    meaning: [guide('network failovers', 'A node ran out of something the guide asks you to watch: file-system space, memory, or threads and file handles.'), ours('Databases stop writing, replication stops, and services fail when it happens.')],
    whatToCheck: [ours('mysqld.err for errno 28 ("No space left on device", "Disk is full"), errno 24 ("Too many open files"), "Too many connections" and memory the server could not get ("Cannot map innodb_buffer_pool"); sms-info.log or tpt_sms.txt for "unable to create native thread" and "There is insufficient memory for the Java Runtime Environment"; the df output in a bundle\'s facts.')],
    nextSteps: [ours('Free the resource (old logs and backups on a full file system), then restart what stopped.'), guide('network failovers', 'Monitor memory, file systems and threads on the primary.')],
    causes: [],
    related: ['replication-broken', 'db-crash', 'java-oom'],
  },
  {
    id: 'heartbeat-loss',
    kind: 'condition',
    title: 'Heartbeat loss',
    aliases: ['missed-heartbeat', 'heartbeats'],
    meaning: [
      guide('cluster heartbeat', 'The nodes exchange heartbeats, by default once a minute; an unanswered one is retried, over the other path if there is one, and three missed in a row make the passive node take over.'),
      ours('smsdiag reports every unanswered heartbeat, a run of {threshold:heartbeat-misses} as critical, and replies slower than {threshold:heartbeat-slow} — the guide gives 300 ms for the link delay; applying it to each reply is smsdiag\'s reading.'),
    ],
    whatToCheck: [ours('"No heartbeat reply" and "trying public network" lines in ha.log: smsdiag\'s convention for these lines; the SMS\'s own wording may differ.')],
    nextSteps: [guide('network failovers', 'Check both paths between the nodes — cabling, switches, firewalls — and keep the delay below 300 ms.'), guide('dual NICs', 'Configure the second interface if only one is in use.')],
    causes: [],
    related: ['heartbeat', 'passive-takeover', 'split-brain'],
  },
  {
    id: 'unclean-shutdown',
    kind: 'condition',
    title: 'Unclean shutdown',
    aliases: ['improper-shutdown', 'power-loss'],
    meaning: [
      guide('power off', 'A node or its database came back without a clean shutdown — power loss, a hard reset, a killed process; with HA enabled that risks file-system and database corruption.'),
      guide('HA Failed', 'After an improper shutdown, HA normally comes up in Failed.'),
    ],
    whatToCheck: [
      ours('mysqld.err: a start with crash recovery ("Starting crash recovery", "was not shut down normally"), "mysqld_safe mysqld restarted", or a start while the previous run had not logged "Shutdown complete". A start after a crash report is the crash, reported on its own. Normal start-up lines that merely mention recovery or readiness (XA recovery, the X Plugin) are not evidence.'),
      guide('database errors', 'Corruption entries after the restart.'),
    ],
    nextSteps: [
      guide('database errors', 'Check the database for corruption (smsdiag explain corruption PATH).'),
      guide('network failovers', 'Synchronize to bring the node back once it is sound.'),
      guide('power off', 'Make sure nobody powers off a node with HA enabled.'),
    ],
    causes: [],
    related: ['power-off', 'ha-failed', 'db-corruption'],
  },
  {
    id: 'maintenance-under-ha',
    kind: 'condition',
    title: 'Maintenance with HA enabled',
    aliases: ['patch-under-ha', 'upgrade-under-ha'],
    meaning: [guide('software updates', 'A patch with database changes, or an upgrade, was applied while HA was enabled. That breaks database replication and with it data integrity; nothing in the patch process stops you.')],
    whatToCheck: [
      ours('The patch and upgrade lines in ha.log — "Applying patch" with "database changes: yes", and "Upgrade to", are smsdiag\'s convention for them — and whether HA was disabled before.'),
      guide('software updates', 'Whether the patch notes say it changes the database.'),
    ],
    nextSteps: [guide('software updates', 'Disable HA, apply the update to each node separately, configure HA again and synchronize.')],
    causes: [],
    related: ['upgrade', 'replication-broken'],
  },
  {
    id: 'ipv6-unsupported',
    kind: 'condition',
    title: 'IPv6 HA peer',
    aliases: ['ipv6-peer'],
    meaning: [guide('IPv6', 'SMS HA is not supported with IPv6, and HA was configured with an IPv6 peer address.')],
    whatToCheck: [ours('"HA configured with peer" in ha.log (smsdiag\'s convention for that line).')],
    nextSteps: [guide('IPv6', 'Configure the cluster between the nodes\' IPv4 addresses.')],
    causes: [],
    related: ['ipv6'],
  },
  {
    id: 'not-collected',
    kind: 'condition',
    title: 'Not collected',
    aliases: ['partial-bundle', 'missing-node'],
    meaning: [ours('The bundle is partial: a node could not be reached, or some of its files could not be copied. Every finding of that node is missing, so "nothing found" there means "not looked at".')],
    whatToCheck: [ours("The reason given (the bundle's manifest.json lists each failure): an SSH key or host key refused, a peer that did not answer, a file that could not be read.")],
    nextSteps: [ours('Fix what the reason names, then collect again, or collect the missing node on its own (smsdiag collect on that node) and analyze both bundles together.')],
    causes: [],
    related: ['collect-logs'],
  },
  {
    id: 'log-rollover-gap',
    kind: 'condition',
    title: 'Evidence lost to log rotation',
    aliases: ['rollover', 'rotation-gap'],
    meaning: [guide('before TAC', 'The oldest entry kept in a log is later than the incident: the lines that would explain it were rotated away, which is why logs should be collected soon after an issue.')],
    whatToCheck: [ours("The oldest retained rotation of each log (analyze --json lists each file's first and last time).")],
    nextSteps: [guide('before TAC', 'Collect logs as soon as possible after an issue (smsdiag collect --peer --incident TIME).'), ours('Look for older copies: a central syslog server, backups, an earlier bundle.')],
    causes: [],
    related: ['collect-logs'],
  },
  {
    id: 'clock-skew',
    kind: 'condition',
    title: 'Clock skew',
    aliases: ['skew', 'clocks'],
    meaning: [ours("The nodes' clocks disagree by more than {threshold:clock-skew}: read side by side, their logs can put an effect before its cause.")],
    whatToCheck: [
      ours("The clock sample in a bundle's facts, or events that must come in order (a takeover before the peer is told to fail)."),
      ours('A synchronization both nodes logged (synchronization-source on one, synchronization-target on the other) is one operation: the gap between the two lines is how far apart the clocks read.'),
    ],
    nextSteps: [
      ours('A gap of whole quarter hours is usually a zone read wrong, not a clock: read the node with --tz NODE=±HH:MM, and whatever is left with --clock.'),
      ours('Correct for it when reading: --clock NODE=+SECONDS (bundles from smsdiag collect carry the measurement).'),
      ours('Run NTP on both nodes against the same servers.'),
    ],
    causes: [],
    related: ['states'],
  },
  {
    id: 'upgrade',
    kind: 'topic',
    title: 'Applying updates to a cluster',
    aliases: ['patch', 'hotfix', 'update'],
    meaning: [
      guide('software updates', 'Upgrades, and patches or hotfixes that change the database, must not be applied to a running cluster: they break replication between the nodes.'),
      guide('software updates', 'The passive node cannot be upgraded with HA enabled: its low-level services do not run updates, and database updates on it would break replication.'),
    ],
    whatToCheck: [guide('software updates', 'Whether the patch or hotfix notes say it has database changes.')],
    nextSteps: [
      guide('disable HA before updates', 'Disable HA.'),
      guide('software updates', 'Update each node on its own, to the same version.'),
      guide('software updates', 'Configure HA again and synchronize the cluster.'),
      guide('software updates', 'A patch without database changes is applied from the active node with HA enabled; it reaches the passive node by itself, and a restart or reboot it needs happens on both.'),
    ],
    causes: [],
    related: ['maintenance-under-ha', 'replication-broken'],
  },
  {
    id: 'ipv6',
    kind: 'topic',
    title: 'IPv6 and SMS HA',
    aliases: [],
    meaning: [guide('IPv6', 'SMS HA does not support IPv6; on an SMS with IPv6 only, the HA configuration button shows an error.')],
    whatToCheck: [],
    nextSteps: [guide('IPv6', 'Use IPv4 addresses between the cluster nodes.')],
    causes: [],
    related: ['ipv6-unsupported'],
  },
  {
    id: 'external-replication',
    kind: 'topic',
    title: 'External database replication',
    aliases: ['external-db'],
    meaning: [guide('external replication', 'External replication and HA rely on the same mechanism of the database, which replicates to a single destination; the vendor does not recommend using both at once.')],
    whatToCheck: [],
    nextSteps: [guide('external replication', 'Prefer one of the two for a given SMS.')],
    causes: [],
    related: ['replication-broken'],
  },
  {
    id: 'snmp-nat',
    kind: 'topic',
    title: 'SNMP and NAT settings in a cluster',
    aliases: ['snmp', 'nat'],
    meaning: [
      guide('SNMP or NAT', 'HA does not replicate SNMP or NAT settings: each node keeps its own.'),
      guide('SNMP or NAT', 'By default only the active node answers SNMP queries. To have the passive one answer too, configure SNMP on it before enabling HA; a node with SNMP enabled then answers in any HA state.'),
    ],
    whatToCheck: [],
    nextSteps: [guide('SNMP or NAT', 'Configure SNMP on the future passive node before enabling HA, and keep each node\'s SNMP and NAT settings up to date by hand.')],
    causes: [],
    related: [],
  },
  {
    id: 'unmanaged-devices',
    kind: 'topic',
    title: 'Devices unmanaged after disabling HA',
    aliases: ['unmanaged'],
    meaning: [
      guide('unmanaged devices', 'When HA is disabled on a cluster whose original secondary is Active, the SMS shows which devices the Active node keeps and which go to the original primary; those are unmanaged on the Active node until you unmanage them there and manage them again.'),
    ],
    whatToCheck: [guide('unmanaged devices', 'Run show sms on a device: it names the SMS that manages it.')],
    nextSteps: [guide('unmanaged devices', 'Manage such devices from the SMS that owns them, or unmanage and manage them again on the Active one.')],
    causes: [],
    related: [],
  },
  {
    id: 'collect-logs',
    kind: 'topic',
    title: 'Collecting logs for support',
    aliases: ['collect', 'logs'],
    meaning: [guide('before TAC', 'Support needs the logs of both nodes, a description of the problem and when it happened — collected soon, before rotation removes the evidence.')],
    whatToCheck: [],
    nextSteps: [
      ours('On the primary: smsdiag collect --peer --incident "YYYY-MM-DD HH:MM" --description "what you saw" (smsdiag verify checks the bundle).'),
      guide('collect logs', 'With the SMS CLI on the primary: set logs.create=yes for its own logs, set logs.create-peer=yes for the secondary\'s; if that fails, SSH to the secondary and run set logs.create=yes there.'),
      guide('before TAC', 'Attach the logs of both nodes, with the description and the date, to the case.'),
    ],
    causes: [],
    related: ['access-secondary', 'log-rollover-gap'],
  },
  {
    id: 'access-secondary',
    kind: 'topic',
    title: 'Reaching the secondary node',
    aliases: ['ssh', 'secondary'],
    meaning: [guide('access secondary', 'Once HA is on, the passive node takes no SMS client logins; you reach it over SSH from the primary, in service mode, which product support grants.')],
    whatToCheck: [],
    nextSteps: [guide('access secondary', 'From the primary, in service mode: ssh -i /root/.ssh/sms-ha.rsa root@SECONDARY_IP'), ours('smsdiag collect --peer uses the same user and key.')],
    causes: [],
    related: ['collect-logs'],
  },
  {
    id: 'states',
    kind: 'topic',
    title: 'HA states and transitions',
    aliases: ['state', 'transitions'],
    meaning: [
      guide('state transitions', 'Enabling HA takes each node through Un-configured, Configured, a synchronization state (synchronization-source on the primary, synchronization-target on the secondary), Restart, and finally Active on the primary and Passive on the secondary.'),
      guide('state transitions', 'A transition that fails sends the node back to the state before it.'),
      ours('Failed and Degraded lie outside that path; smsdiag adds Down (the node was not running) and unknown (nothing says).'),
    ],
    whatToCheck: [guide('identify state', 'In the SMS CLI: get HA.'), guide('identify state', `${SERVICE_MODE}: cat /etc/ha.state, or grep "Local state:" ha.log* | more.`), ours('smsdiag state PATH, from the logs of both nodes.')],
    nextSteps: [],
    causes: [],
    related: ['ha-failed', 'no-active-node', 'sync-failed'],
  },
  {
    id: 'heartbeat',
    kind: 'topic',
    title: 'The cluster heartbeat',
    aliases: [],
    meaning: [
      guide('cluster heartbeat', 'The passive node asks the active one for a heartbeat, by default once a minute; the active one answers. With no answer the passive node retries and, if a private network is configured, tries the public one too; when that fails as well it takes over.'),
      guide('network failovers', 'Three consecutive missed heartbeats start the takeover even when both servers work — the cause of active-active clusters.'),
    ],
    whatToCheck: [ours('"No heartbeat reply", "trying public network" and the reply times in ha.log (smsdiag\'s convention for these lines).')],
    nextSteps: [guide('network failovers', 'Keep the link delay below 300 ms.'), guide('dual NICs', 'Configure a primary and a secondary interface.')],
    causes: [],
    related: ['heartbeat-loss', 'passive-takeover', 'split-brain'],
  },
  {
    id: 'power-off',
    kind: 'topic',
    title: 'Powering off a node',
    aliases: ['shutdown', 'poweroff'],
    meaning: [guide('power off', 'Cutting the power of a node with HA enabled can damage its file system and database beyond repair.')],
    whatToCheck: [],
    nextSteps: [
      guide('power off', 'If a node does not respond, SSH to it from its peer and restart the database and SMS services by hand.'),
      guide('power off', 'To stop or restart the whole cluster, use the CLI command on the primary.'),
    ],
    causes: [],
    related: ['unclean-shutdown'],
  },
];
