import { mount } from 'svelte';
import App from './App.svelte';
import CustomerDisplay from './components/CustomerDisplay.svelte';
import { isCustomerView } from './lib/customer';
import { startTheme } from './lib/theme';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('Paydesk: #app element missing from index.html');

startTheme();

// The same page serves the customer display (a second window opened from the counter, with
// its own, smaller capability): it mounts only that screen.
export default isCustomerView(location.search, location.hash)
  ? mount(CustomerDisplay, { target })
  : mount(App, { target });
