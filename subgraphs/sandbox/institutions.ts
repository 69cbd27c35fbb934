/**
 * Generated schools and universities, one set per reference commune. They
 * depend only on the commune list (not on the seed), so an institution keeps
 * its UAI across datasets. Internal to the sandbox.
 */
import { COMMUNES, type Commune } from './communes.js';
import { checkLetter } from './identifiers.js';
import { hash32, hashString } from './random.js';

export type InstitutionKind = 'COLLEGE' | 'LYCEE' | 'UNIVERSITY';

export interface Institution {
  /** Registry number of the institution: department on 3 digits, 4 digits, a check letter, e.g. '0751234A'. */
  readonly uai: string;
  readonly kind: InstitutionKind;
  readonly name: string;
  readonly communeCode: string;
  readonly communeName: string;
}

const NAMESAKES = [
  'Jean Moulin',
  'Victor Hugo',
  'Jules Ferry',
  'Marie Curie',
  'Louise Michel',
  'Jean Jaurès',
  'Simone Veil',
  'Albert Camus',
  'Jacques Prévert',
  'George Sand',
  'Condorcet',
  'Montaigne',
  'Descartes',
  'Voltaire',
  'Louis Pasteur',
  'Colette',
  'Molière',
  'Émile Zola',
  'Lucie Aubrac',
  'Germaine Tillion',
  'Olympe de Gouges',
  'Aimé Césaire',
  'Joséphine Baker',
  'Jules Verne',
  'Paul Éluard',
  'Antoine de Saint-Exupéry',
  'Gustave Eiffel',
  'Camille Claudel',
] as const;

/** The registry's department prefix: Corsica and overseas use numeric forms. */
function uaiDepartment(departmentCode: string): string {
  if (departmentCode === '2A') return '620';
  if (departmentCode === '2B') return '720';
  return departmentCode.length === 3 ? departmentCode : `0${departmentCode}`;
}

function institutionsOf(commune: Commune, used: Set<string>): Institution[] {
  const colleges = Math.min(4, 1 + Math.floor(commune.population / 150));
  const lycees = Math.min(3, 1 + Math.floor(commune.population / 250));
  const plan: [InstitutionKind, number][] = [
    ['COLLEGE', colleges],
    ['LYCEE', lycees],
    ['UNIVERSITY', commune.university ? 1 : 0],
  ];
  const institutions: Institution[] = [];
  for (const [kind, count] of plan) {
    for (let n = 0; n < count; n += 1) {
      let attempt = hash32(hashString(commune.code), hashString(kind), n);
      let digits = '';
      let uai = '';
      do {
        digits = `${uaiDepartment(commune.departmentCode)}${String(attempt % 10_000).padStart(4, '0')}`;
        uai = `${digits}${checkLetter(digits)}`;
        attempt += 1;
      } while (used.has(uai));
      used.add(uai);
      const namesake = NAMESAKES[(hash32(hashString(uai)) >>> 0) % NAMESAKES.length] as string;
      const name =
        kind === 'UNIVERSITY'
          ? `Université de ${commune.name}`
          : `${kind === 'COLLEGE' ? 'Collège' : 'Lycée'} ${namesake}`;
      institutions.push({ uai, kind, name, communeCode: commune.code, communeName: commune.name });
    }
  }
  return institutions;
}

function buildInstitutions(): readonly Institution[] {
  const used = new Set<string>();
  return COMMUNES.flatMap((commune) => institutionsOf(commune, used));
}

export const INSTITUTIONS: readonly Institution[] = buildInstitutions();

const BY_COMMUNE_AND_KIND = new Map<string, Institution[]>();
for (const institution of INSTITUTIONS) {
  const key = `${institution.communeCode}/${institution.kind}`;
  const list = BY_COMMUNE_AND_KIND.get(key) ?? [];
  list.push(institution);
  BY_COMMUNE_AND_KIND.set(key, list);
}

export const UNIVERSITIES: readonly Institution[] = INSTITUTIONS.filter(
  (institution) => institution.kind === 'UNIVERSITY',
);

/** The institutions of one kind in a commune (empty for universities where there is none). */
export function institutionsIn(communeCode: string, kind: InstitutionKind): readonly Institution[] {
  return BY_COMMUNE_AND_KIND.get(`${communeCode}/${kind}`) ?? [];
}
