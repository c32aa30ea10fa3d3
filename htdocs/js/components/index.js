// All components in one import:
//   import { el, button, field, card, tabs, list, badge, meter, modal, states } from '/js/components/index.js';
export { el, append, uid } from './dom.js';
export { button, linkButton } from './button.js';
export { field } from './field.js';
export { card } from './card.js';
export { tabs } from './tabs.js';
export { list } from './list.js';
export { badge } from './badge.js';
export { meter } from './meter.js';
export { modal } from './modal.js';
export { states } from './states.js';
