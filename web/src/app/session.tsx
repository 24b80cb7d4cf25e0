import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import * as api from '../api/api';
import type { Me, Organization, Sender, User } from '../api/types';

interface SessionValue {
  me: Me;
  isAdmin: boolean;
  setOrganization(organization: Organization): void;
  logout(): Promise<void>;
}

interface DirectoryValue {
  users: User[];
  senders: Sender[];
  userById(id: string | null | undefined): User | undefined;
  senderById(id: string | null | undefined): Sender | undefined;
  reload(): void;
}

const SessionContext = createContext<SessionValue | null>(null);
const DirectoryContext = createContext<DirectoryValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

export function useDirectory(): DirectoryValue {
  const value = useContext(DirectoryContext);
  if (!value) throw new Error('useDirectory outside SessionProvider');
  return value;
}

interface SessionProviderProps {
  me: Me;
  onMeChange(me: Me): void;
  onLogout(): Promise<void>;
  children: ReactNode;
}

/** The signed-in user, their organization, and the people and numbers every screen names. */
export function SessionProvider({ me, onMeChange, onLogout, children }: SessionProviderProps) {
  const [users, setUsers] = useState<User[]>([]);
  const [senders, setSenders] = useState<Sender[]>([]);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.listUsers().then((page) => !cancelled && setUsers(page.items), () => {});
    api.listSenders().then((page) => !cancelled && setSenders(page.items), () => {});
    return () => {
      cancelled = true;
    };
  }, [version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);

  const session = useMemo<SessionValue>(
    () => ({
      me,
      isAdmin: me.user.role === 'admin',
      setOrganization: (organization) => onMeChange({ ...me, organization }),
      logout: onLogout,
    }),
    [me, onMeChange, onLogout],
  );

  const directory = useMemo<DirectoryValue>(
    () => ({
      users,
      senders,
      userById: (id) => users.find((u) => u.id === id),
      senderById: (id) => senders.find((s) => s.id === id),
      reload,
    }),
    [users, senders, reload],
  );

  return (
    <SessionContext.Provider value={session}>
      <DirectoryContext.Provider value={directory}>{children}</DirectoryContext.Provider>
    </SessionContext.Provider>
  );
}

/** For tests and stories: provide fixed values without the network. */
export function StaticSession({ session, directory, children }: { session: SessionValue; directory: DirectoryValue; children: ReactNode }) {
  return (
    <SessionContext.Provider value={session}>
      <DirectoryContext.Provider value={directory}>{children}</DirectoryContext.Provider>
    </SessionContext.Provider>
  );
}
