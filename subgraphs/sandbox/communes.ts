/**
 * Reference communes: real INSEE codes, names, main postal codes and
 * departments of about a hundred French communes (prefectures and large
 * towns, including Corsica and overseas departments). They fill the
 * civil-status `communes` table and are the only places people are born in or
 * live in, so every commune code in every store resolves. Internal to the
 * sandbox.
 */

export interface Commune {
  /** INSEE commune code (COG), e.g. '75056'. */
  readonly code: string;
  readonly name: string;
  /** Main postal code. */
  readonly postalCode: string;
  readonly departmentCode: string;
  /** Approximate population in thousands: the weight used to place people. */
  readonly population: number;
  /** Whether the commune hosts a university in the generated institutions. */
  readonly university: boolean;
}

// code, name, postal code, department, population (thousands), university
type CommuneRow = readonly [string, string, string, string, number, boolean];

const ROWS: readonly CommuneRow[] = [
  ['75056', 'Paris', '75001', '75', 2133, true],
  ['13055', 'Marseille', '13001', '13', 873, true],
  ['69123', 'Lyon', '69001', '69', 522, true],
  ['31555', 'Toulouse', '31000', '31', 504, true],
  ['06088', 'Nice', '06000', '06', 348, true],
  ['44109', 'Nantes', '44000', '44', 323, true],
  ['34172', 'Montpellier', '34000', '34', 302, true],
  ['67482', 'Strasbourg', '67000', '67', 291, true],
  ['33063', 'Bordeaux', '33000', '33', 261, true],
  ['59350', 'Lille', '59000', '59', 236, true],
  ['35238', 'Rennes', '35000', '35', 222, true],
  ['83137', 'Toulon', '83000', '83', 180, true],
  ['51454', 'Reims', '51100', '51', 180, true],
  ['42218', 'Saint-Étienne', '42000', '42', 173, true],
  ['76351', 'Le Havre', '76600', '76', 166, true],
  ['21231', 'Dijon', '21000', '21', 159, true],
  ['49007', 'Angers', '49000', '49', 157, true],
  ['38185', 'Grenoble', '38000', '38', 157, true],
  ['69266', 'Villeurbanne', '69100', '69', 156, false],
  ['97411', 'Saint-Denis', '97400', '974', 153, true],
  ['30189', 'Nîmes', '30000', '30', 148, true],
  ['13001', 'Aix-en-Provence', '13100', '13', 147, true],
  ['63113', 'Clermont-Ferrand', '63000', '63', 147, true],
  ['72181', 'Le Mans', '72000', '72', 145, true],
  ['29019', 'Brest', '29200', '29', 139, true],
  ['37261', 'Tours', '37000', '37', 136, true],
  ['80021', 'Amiens', '80000', '80', 133, true],
  ['74010', 'Annecy', '74000', '74', 131, false],
  ['87085', 'Limoges', '87000', '87', 129, true],
  ['92012', 'Boulogne-Billancourt', '92100', '92', 121, false],
  ['57463', 'Metz', '57000', '57', 120, true],
  ['66136', 'Perpignan', '66000', '66', 119, true],
  ['25056', 'Besançon', '25000', '25', 119, true],
  ['45234', 'Orléans', '45000', '45', 116, true],
  ['76540', 'Rouen', '76000', '76', 114, true],
  ['93066', 'Saint-Denis', '93200', '93', 113, true],
  ['93048', 'Montreuil', '93100', '93', 111, false],
  ['95018', 'Argenteuil', '95100', '95', 110, false],
  ['14118', 'Caen', '14000', '14', 106, true],
  ['68224', 'Mulhouse', '68100', '68', 105, true],
  ['54395', 'Nancy', '54000', '54', 104, true],
  ['59599', 'Tourcoing', '59200', '59', 99, false],
  ['59512', 'Roubaix', '59100', '59', 99, false],
  ['92050', 'Nanterre', '92000', '92', 96, true],
  ['94081', 'Vitry-sur-Seine', '94400', '94', 95, false],
  ['94028', 'Créteil', '94000', '94', 92, true],
  ['84007', 'Avignon', '84000', '84', 91, true],
  ['86194', 'Poitiers', '86000', '86', 89, true],
  ['93001', 'Aubervilliers', '93300', '93', 88, false],
  ['92025', 'Colombes', '92700', '92', 86, false],
  ['78646', 'Versailles', '78000', '78', 84, true],
  ['92026', 'Courbevoie', '92400', '92', 82, false],
  ['34032', 'Béziers', '34500', '34', 79, false],
  ['17300', 'La Rochelle', '17000', '17', 78, true],
  ['97209', 'Fort-de-France', '97200', '972', 76, true],
  ['64445', 'Pau', '64000', '64', 75, true],
  ['06029', 'Cannes', '06400', '06', 74, false],
  ['2A004', 'Ajaccio', '20000', '2A', 73, false],
  ['44184', 'Saint-Nazaire', '44600', '44', 72, false],
  ['97611', 'Mamoudzou', '97600', '976', 71, false],
  ['91228', 'Évry-Courcouronnes', '91000', '91', 67, true],
  ['62193', 'Calais', '62100', '62', 67, false],
  ['68066', 'Colmar', '68000', '68', 67, false],
  ['95127', 'Cergy', '95000', '95', 66, true],
  ['26362', 'Valence', '26000', '26', 64, false],
  ['18033', 'Bourges', '18000', '18', 64, false],
  ['97302', 'Cayenne', '97300', '973', 63, true],
  ['29232', 'Quimper', '29000', '29', 63, false],
  ['10387', 'Troyes', '10000', '10', 62, false],
  ['82121', 'Montauban', '82000', '82', 61, false],
  ['73065', 'Chambéry', '73000', '73', 60, true],
  ['79191', 'Niort', '79000', '79', 60, false],
  ['56121', 'Lorient', '56100', '56', 57, false],
  ['60057', 'Beauvais', '60000', '60', 56, false],
  ['85191', 'La Roche-sur-Yon', '85000', '85', 55, false],
  ['56260', 'Vannes', '56000', '56', 54, false],
  ['49099', 'Cholet', '49300', '49', 54, false],
  ['93008', 'Bobigny', '93000', '93', 54, false],
  ['64102', 'Bayonne', '64100', '64', 52, false],
  ['53130', 'Laval', '53000', '53', 49, false],
  ['81004', 'Albi', '81000', '81', 49, false],
  ['2B033', 'Bastia', '20200', '2B', 48, false],
  ['27229', 'Évreux', '27000', '27', 47, false],
  ['90010', 'Belfort', '90000', '90', 46, false],
  ['41018', 'Blois', '41000', '41', 46, false],
  ['11069', 'Carcassonne', '11000', '11', 46, false],
  ['08105', 'Charleville-Mézières', '08000', '08', 45, false],
  ['51108', 'Châlons-en-Champagne', '51000', '51', 44, false],
  ['22278', 'Saint-Brieuc', '22000', '22', 44, false],
  ['36044', 'Châteauroux', '36000', '36', 43, false],
  ['65440', 'Tarbes', '65000', '65', 42, false],
  ['16015', 'Angoulême', '16000', '16', 42, false],
  ['01053', 'Bourg-en-Bresse', '01000', '01', 42, false],
  ['62041', 'Arras', '62000', '62', 41, false],
  ['05061', 'Gap', '05000', '05', 41, false],
  ['77288', 'Melun', '77000', '77', 41, false],
  ['28085', 'Chartres', '28000', '28', 39, false],
  ['89024', 'Auxerre', '89000', '89', 35, false],
  ['71270', 'Mâcon', '71000', '71', 34, false],
  ['47001', 'Agen', '47000', '47', 33, false],
  ['58194', 'Nevers', '58000', '58', 33, false],
  ['88160', 'Épinal', '88000', '88', 31, false],
  ['24322', 'Périgueux', '24000', '24', 30, false],
  ['40192', 'Mont-de-Marsan', '40000', '40', 30, false],
  ['61001', 'Alençon', '61000', '61', 25, false],
  ['15014', 'Aurillac', '15000', '15', 25, false],
  ['12202', 'Rodez', '12000', '12', 25, false],
  ['02408', 'Laon', '02000', '02', 24, false],
  ['32013', 'Auch', '32000', '32', 22, false],
  ['52121', 'Chaumont', '52000', '52', 21, false],
  ['43157', 'Le Puy-en-Velay', '43000', '43', 19, false],
  ['03190', 'Moulins', '03000', '03', 19, false],
  ['46042', 'Cahors', '46000', '46', 19, false],
  ['50502', 'Saint-Lô', '50000', '50', 19, false],
  ['39300', 'Lons-le-Saunier', '39000', '39', 17, false],
  ['04070', 'Digne-les-Bains', '04000', '04', 16, false],
  ['97120', 'Pointe-à-Pitre', '97110', '971', 15, false],
  ['70550', 'Vesoul', '70000', '70', 15, false],
  ['55029', 'Bar-le-Duc', '55000', '55', 15, false],
  ['19272', 'Tulle', '19000', '19', 14, false],
  ['23096', 'Guéret', '23000', '23', 13, false],
  ['48095', 'Mende', '48000', '48', 12, false],
  ['09122', 'Foix', '09000', '09', 10, false],
  ['07186', 'Privas', '07000', '07', 8, false],
];

export const COMMUNES: readonly Commune[] = ROWS.map(
  ([code, name, postalCode, departmentCode, population, university]) => ({
    code,
    name,
    postalCode,
    departmentCode,
    population,
    university,
  }),
);

const BY_CODE = new Map(COMMUNES.map((commune) => [commune.code, commune]));

export function communeByCode(code: string): Commune {
  const commune = BY_CODE.get(code);
  if (commune === undefined) throw new RangeError(`Unknown commune code '${code}'.`);
  return commune;
}
