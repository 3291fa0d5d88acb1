import { createVault, loadVaultHeader, saveVaultHeader, setVaultKey, unlockVault, type VaultHeader, type VaultKey } from '../../jobs/index.js';
import { audit } from '../../vault/audit.js';
import { describeError } from '../errors.js';

/**
 * The vault that seals this device's list of protected files (and the saved storage keys) under
 * the person's passphrase (src/vault/vault.ts). None until the first protect makes it; after a
 * reload it is locked and nothing is listed until the passphrase opens it. The passphrase is never
 * kept: only the derived, non-extractable key, while unlocked.
 */
export class VaultState {
  state = $state<'loading' | 'none' | 'locked' | 'unlocking' | 'unlocked'>('loading');
  #header: VaultHeader | undefined;

  constructor(private readonly onUnlocked: (key: VaultKey) => Promise<void>) {}

  async load(): Promise<void> {
    this.#header = await loadVaultHeader();
    this.state = this.#header ? 'locked' : 'none';
  }

  /** Makes the vault with a new passphrase (the caller checked both copies agree); returns why not. */
  async create(passphrase: string): Promise<string | undefined> {
    if (this.state !== 'none') return undefined;
    this.state = 'unlocking';
    try {
      const { key, header } = await createVault(passphrase);
      await saveVaultHeader(header);
      this.#header = header;
      await this.#open(key);
      audit.record({ action: 'vault-create', outcome: 'ok' });
      return undefined;
    } catch (error) {
      this.state = 'none';
      return describeError(error, 'create the vault')?.detail ?? 'The vault could not be made.';
    }
  }

  /** Opens the vault; returns what to tell the person when the passphrase does not. Any number of tries. */
  async unlock(passphrase: string): Promise<string | undefined> {
    const header = this.#header;
    if (!header || this.state !== 'locked') return undefined;
    this.state = 'unlocking';
    try {
      await this.#open(await unlockVault(header, passphrase));
      audit.record({ action: 'vault-unlock', outcome: 'ok' });
      return undefined;
    } catch (error) {
      this.state = 'locked';
      audit.failed('vault-unlock', error);
      const shown = describeError(error, 'unlock the vault');
      return shown?.code === 'vault.wrong-passphrase'
        ? 'That passphrase does not open your vault. Nothing was changed; try again (check that Caps Lock is off).'
        : (shown?.detail ?? 'The vault could not be opened.');
    }
  }

  async #open(key: VaultKey): Promise<void> {
    setVaultKey(key);
    this.state = 'unlocked';
    await this.onUnlocked(key);
  }
}
